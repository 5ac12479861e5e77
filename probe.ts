import { ControlPlane } from "./test/controlplane/control-plane.ts";
const t = Date.now();
const cp = await ControlPlane.start({ controllerManager: false, binDir: process.argv[2] });
console.log("ready", cp.server, Date.now() - t, "ms");
const r = await cp.get("/version"); console.log(r.body);
await cp.stop();
console.log("stopped");
