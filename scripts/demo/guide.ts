// What both demos print for the person who started them: commands to try against a cloud's API, and the seeded
// parcel with the staff's kiosk codes.
import { DEMO_ADMIN } from './seed.ts';

export interface DemoParcel {
  lockerNumber: number;
  trackingId: string;
  recipient: string;
  code: string;
}

/** Where a cloud at `httpUrl` answers: its API, its web console with the demo's sign-in, its sign-in page. */
export function cloudLines(httpUrl: string, indent = '  '): string[] {
  return [
    `${indent}HTTP API      ${httpUrl}/api/v1   (OpenAPI: ${httpUrl}/api/v1/openapi.json)`,
    `${indent}Web console   ${httpUrl}/console   (sign in as ${DEMO_ADMIN.user} / ${DEMO_ADMIN.password})`,
    `${indent}Sign-in page  ${httpUrl}/account/sign-in`,
  ];
}

/** `portier` commands (sign in, list, open the parcel's locker, activity) and the OpenAPI document of the cloud at `httpUrl`. */
export function tryItLines(httpUrl: string, bankId: string, lockerNumber: number): string[] {
  return [
    'Try it:',
    `  echo ${DEMO_ADMIN.password} | npx portier --url ${httpUrl} login --user ${DEMO_ADMIN.user}`,
    `  npx portier lockers --bank ${bankId}`,
    `  npx portier open --bank ${bankId} --locker ${lockerNumber} --reason "demo"     # the virtual door opens`,
    `  npx portier activity --bank ${bankId}`,
    `  curl -s ${httpUrl}/api/v1/openapi.json | head -c 300`,
  ];
}

/** The parcel waiting with its pickup code, and the kiosk codes of staff and carrier; `more` ends the last sentence's line. */
export function parcelLines(pickup: DemoParcel, staff: { operatorPin: string; carrierCode: string }, more = ''): string[] {
  return [
    `A parcel ${pickup.trackingId} waits in locker ${pickup.lockerNumber} for ${pickup.recipient}; pickup code ${pickup.code}.`,
    `Type it on the kiosk screen's keypad, then Enter: the locker's virtual door opens.`,
    `At the kiosk, staff sign in with the operator PIN ${staff.operatorPin} (drop-off, expired removal, service), a carrier`,
    `with the access code ${staff.carrierCode} (direct delivery).${more ? ` ${more}` : ''}`,
  ];
}
