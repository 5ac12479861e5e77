import { describe, expect, it } from "vitest";
import type { OwnerReference } from "../../kube/object.ts";
import { childConflict } from "./child-ownership.ts";

const owner = (kind: string, name: string, uid: string) => ({
  apiVersion: "aihub.gemeenten.nl/v1alpha1",
  kind,
  name,
  uid,
  controller: true,
});
const desired = {
  kind: "NetworkPolicy",
  metadata: { name: "bezwaar", namespace: "utrecht", ownerReferences: [owner("BlockActivation", "bezwaar", "u1")] },
};
const live = (ownerReferences?: OwnerReference[]) => ({
  metadata: { name: "bezwaar", namespace: "utrecht", ownerReferences },
});

describe("childConflict", () => {
  it("lets the activation create what does not exist and write what it controls", () => {
    expect(childConflict(desired, undefined)).toBeUndefined();
    expect(childConflict(desired, live([owner("BlockActivation", "bezwaar", "u1")]))).toBeUndefined();
  });

  it("takes over the children of an earlier activation of the same name (deleted, not yet collected)", () => {
    expect(childConflict(desired, live([owner("BlockActivation", "bezwaar", "u0")]))).toBeUndefined();
  });

  it("refuses an object without a controller, naming it and the way out", () => {
    expect(childConflict(desired, live())).toBe(
      "NetworkPolicy bezwaar in namespace utrecht already exists and was not made by aihub for this activation; " +
        "it was left untouched. Remove that object, or create the activation under another name.",
    );
    expect(childConflict(desired, live([{ ...owner("BlockActivation", "bezwaar", "u1"), controller: false }]))).toMatch(
      /not made by aihub/,
    );
  });

  it("refuses an object that another controller owns, naming the owner", () => {
    expect(childConflict(desired, live([owner("Deployment", "bezwaar", "d1")]))).toMatch(
      /is controlled by Deployment bezwaar;/,
    );
    expect(childConflict(desired, live([owner("BlockActivation", "andere", "u2")]))).toMatch(
      /is controlled by BlockActivation andere;/,
    );
  });
});
