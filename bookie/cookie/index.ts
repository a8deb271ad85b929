// Bookie identity: the cookie kept in the data directory and registered in the metadata store.
export { verifyCookie, repairCookie, CookieMismatchError, CookieFormatError, COOKIE_FILE, type Cookie } from './cookie.js';
