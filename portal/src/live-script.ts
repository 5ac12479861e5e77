// The script of live pages (progressive enhancement: every page works without it). It listens
// to the page's Server-Sent Events stream; on a "changed" event it fetches the page again and
// replaces the main region, unless the person is typing in a form there (then it waits until
// the field loses focus), and announces the refresh politely to screen readers. A confirmation of
// what the person just did (data-portal-keep) stays: the change it confirms is what triggers the
// first refresh.
export const LIVE_SCRIPT = `(() => {
  const main = document.getElementById("inhoud");
  const status = document.getElementById("live-status");
  if (!main || !window.EventSource || !main.dataset.live) return;
  let pending = false;
  const busy = () => main.contains(document.activeElement) && /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
  const refresh = async () => {
    if (busy()) { pending = true; return; }
    pending = false;
    const res = await fetch(location.href, { headers: { "x-portal-fragment": "main" }, credentials: "same-origin" });
    if (!res.ok) return;
    const text = await res.text();
    const doc = new DOMParser().parseFromString(text, "text/html");
    const next = doc.getElementById("inhoud");
    if (!next) return;
    const kept = [...main.querySelectorAll("[data-portal-keep]")];
    main.innerHTML = next.innerHTML;
    const heading = main.querySelector("h1");
    if (heading && !main.querySelector("[data-portal-keep]")) heading.after(...kept);
    if (status) status.textContent = status.dataset.text + " " + new Date().toLocaleTimeString();
  };
  document.addEventListener("focusout", () => { if (pending) setTimeout(refresh, 0); });
  const source = new EventSource(main.dataset.live);
  source.addEventListener("changed", () => { refresh(); });
})();
`;
