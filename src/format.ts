/**
 * 60000 -> "60,000". Not toLocaleString: the first call into Intl maps
 * about 7 MB of ICU data into the process, for a comma.
 */
export function thousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ",");
}

/** 2147483648 -> "2 GiB", 524288 -> "512 KiB": binary units, up to two decimals. */
export function binaryBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${+n.toFixed(2)} ${units[u]}`;
}
