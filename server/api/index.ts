// The REST API v1 for the web process: its handler, prefix and body cap.
export { API_PREFIX } from './router';
export { handleApiRequest } from './v1';

/** 10,000 telegrams of about 1 kB each fit; a larger batch is refused before it is parsed. */
export const API_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
