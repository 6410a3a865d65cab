/**
 * 60000 -> "60,000". Not toLocaleString: the first call into Intl maps
 * about 7 MB of ICU data into the process, for a comma.
 */
export function thousands(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ",");
}
