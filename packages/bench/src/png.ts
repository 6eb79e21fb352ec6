/**
 * Rasterises an SVG chart to PNG with resvg (`@resvg/resvg-js`: a prebuilt native binding shipped
 * inside npm packages, nothing downloaded at run time). Text uses the system's fonts; on a machine
 * without any (a bare container) the labels are missing from the PNG but the SVG is complete.
 */
export async function svgToPng(svg: string, options: { readonly scale?: number } = {}): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const renderer = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 1.5 },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    logLevel: 'off',
  });
  return new Uint8Array(renderer.render().asPng());
}
