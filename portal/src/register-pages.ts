// Every page and form of the portal, registered on the server by route name.
import {
  activateAction,
  activateFormPage,
  bouwblokkenPage,
  changeAction,
  changeFormPage,
} from "./pages/bouwblokken.ts";
import { catalogusPage } from "./pages/catalogus.ts";
import { mijnGemeentePage } from "./pages/mijn-gemeente.ts";
import { algoritmeregisterDownload, transparantiePage } from "./pages/transparantie.ts";
import { rolloutAction, uitrolPage } from "./pages/uitrol.ts";
import { approveAction, declineAction, updatesPage } from "./pages/updates.ts";
import type { Portal } from "./portal.ts";

export function registerPages(portal: Portal): void {
  portal.page("mijn-gemeente", mijnGemeentePage);
  portal.page("catalogus", catalogusPage);
  portal.page("bouwblokken", bouwblokkenPage);
  portal.page("activate-form", activateFormPage);
  portal.action("activate", activateAction);
  portal.page("change-form", changeFormPage);
  portal.action("change", changeAction);
  portal.page("updates", updatesPage);
  portal.action("approve", approveAction);
  portal.action("decline", declineAction);
  portal.page("uitrol", uitrolPage);
  portal.action("rollout-action", rolloutAction);
  portal.page("transparantie", transparantiePage);
  portal.page("algoritmeregister", algoritmeregisterDownload);
}
