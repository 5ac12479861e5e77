import { describe, expect, it } from "vitest";
import { portTaken } from "./control-plane.ts";

describe("portTaken", () => {
  it("knows a bind that failed because another process took the port", () => {
    const apiServer =
      'kube-apiserver exited during start-up:\nE1203 15:11:10.727724 run.go:72] "command failed" err="failed to create listener: failed to listen on 127.0.0.1:39389: listen tcp 127.0.0.1:39389: bind: address already in use"';
    const etcd =
      '{"level":"fatal","msg":"discovery failed","error":"listen tcp 127.0.0.1:2380: bind: address already in use"}';
    expect(portTaken(apiServer)).toBe(true);
    expect(portTaken(etcd)).toBe(true);
  });

  it("leaves every other start-up failure alone", () => {
    expect(portTaken("kube-apiserver exited during start-up:\nerror: unknown flag: --nonsense")).toBe(false);
    expect(portTaken("etcd did not answer within 90000 ms")).toBe(false);
  });
});
