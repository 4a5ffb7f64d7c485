/** Text and attribute values inside the SVG documents tcp writes (consensus sweep, detect timeline, red-team chart). */
export const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
