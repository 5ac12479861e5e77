// A MunicipalTenant for unit tests (Zwolle, GM0193), parsed by the zod API so defaults apply.
import { type MunicipalTenant, municipalTenant } from "../../operator/src/api/v1alpha1/index.ts";

export const zwolle = (spec: Partial<MunicipalTenant["spec"]> = {}): MunicipalTenant =>
  municipalTenant.parse({
    apiVersion: "aihub.gemeenten.nl/v1alpha1",
    kind: "MunicipalTenant",
    metadata: { name: "zwolle" },
    spec: { municipalityCode: "GM0193", displayName: "Zwolle", ...spec },
  });
