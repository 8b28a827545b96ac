/** Field rules several schemas share; not part of the model's exports. */
import { z } from 'zod';

/** A display name: trimmed, 1 to 200 characters. */
export const name = z.string().trim().min(1, 'must not be empty').max(200);
export const optionalText = z.string().max(500).optional();
