// Module resolution hook: a bare import that its own folder cannot resolve (examples/ has no node_modules in CI) is
// resolved from this package's node_modules, so the example bot runs on the SDK versions this suite pins.
const fallbackParent = new URL("../package.json", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const bare = !specifier.startsWith(".") && !specifier.startsWith("/") && !specifier.includes(":");
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || !bare) throw err;
    return nextResolve(specifier, { ...context, parentURL: fallbackParent });
  }
}
