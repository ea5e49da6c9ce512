// `node --import <this file> script.mjs` makes script.mjs resolve its packages from tests/e2e/node_modules.
import { register } from "node:module";

register("./resolve-hooks.mjs", import.meta.url);
