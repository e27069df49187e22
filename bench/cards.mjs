// Distinct 1200x630 social cards for the benchmarks: same layout, different text and colours.
export function card(i) {
  const hue = (i * 47) % 360;
  return `<div style="width:1200px;height:630px;box-sizing:border-box;padding:72px;display:flex;flex-direction:column;justify-content:space-between;background:linear-gradient(135deg,hsl(${hue},70%,45%),hsl(${(hue + 60) % 360},70%,30%));color:#fff;font-family:'Liberation Sans',sans-serif">
  <div style="font-size:28px;opacity:.8;letter-spacing:2px">PIXELFARM BLOG · #${i}</div>
  <div style="font-size:64px;font-weight:700;line-height:1.1">How we render card number ${i} in well under a second ✨</div>
  <div style="display:flex;align-items:center;gap:20px;font-size:30px"><div style="width:64px;height:64px;border-radius:50%;background:#fff3"></div>Ada Lovelace · ${1 + (i % 28)} Nov 2026</div>
</div>`;
}
