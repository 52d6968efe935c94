// The site icon as SVG (browsers accept it under /favicon.ico, which they request regardless of links).
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0f3d5e"/><path d="M10 8v16M10 17l9-9M13.5 14l6.5 10" stroke="#fff" stroke-width="3" fill="none" stroke-linecap="round"/></svg>';

export function loader() {
  return new Response(ICON, { headers: { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400' } });
}
