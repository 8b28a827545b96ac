export { BrandingCache, type BrandingCacheEvents, type BrandingCacheOptions, type KioskBranding } from './branding-cache.ts';
export { fetchLogo, LogoFetchError, type FetchLike, type LogoFetchErrorCode } from './logo-fetch.ts';
