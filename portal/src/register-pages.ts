// Every page and form of the portal, registered on the server by route name.
import type { Portal } from "./portal.ts";

export function registerPages(_portal: Portal): void {}
