// --help for the plugin and for each command.

const FLAGS = `Flags (every command):
  -o, --output json|yaml   print the data with stable field names instead of a table
  -n, --namespace NS       the namespace (default: the context's namespace, else default)
      --kubeconfig FILE    the kubeconfig (default: $KUBECONFIG's first file, else ~/.kube/config)
      --context NAME       a context of the kubeconfig other than its current one
  -h, --help               this help`;

export const EXIT_CODES = `Exit codes:
  0  done (also when a list is empty, or the change was already made)
  1  the API server refused or failed (its message is printed: NotFound, Forbidden, Conflict,
     unreachable, a bad kubeconfig), or there is nothing to do (nothing to approve, a version
     that is not offered, no active rollout)
  2  usage: an unknown command or flag, a missing argument, a bad value, --yes missing for abort`;

const TOPICS: Record<string, string> = {
  tenants: `kubectl aihub tenants: the municipalities, with their health.

Usage: kubectl aihub tenants [-o json|yaml]

Columns: NAME, MUNICIPALITY, CODE (CBS), RING (rollout ring), NAMESPACE, READY and REASON (the
Ready condition), ACTIVATIONS (BlockActivations in the namespace) and QUOTA (activations used/hard
from the namespace's ResourceQuota aihub-quota, when it has a status).
JSON: {"tenants": [{name, displayName, municipalityCode, ring, namespace, phase,
ready: {status, reason, message}, activations, activationQuota: {used, hard}}]}`,

  updates: `kubectl aihub updates: versions waiting for approval, with their release notes.

Usage: kubectl aihub updates [-n NAMESPACE | -A] [-o json|yaml]

Lists BlockActivations with updatePolicy Manual whose status.availableUpdate offers a newer
version, in the namespace (-n, else the context's) or in all namespaces (-A, --all-namespaces).
JSON: {"updates": [{namespace, activation, block, channel, currentVersion, approvedVersion,
version, releaseDate, releaseNotes, fleet}]}`,

  approve: `kubectl aihub approve: approve an update of a BlockActivation.

Usage: kubectl aihub approve ACTIVATION [-n NAMESPACE] [--version V] [-o json|yaml]

Sets spec.approvedVersion to V (default: the version in status.availableUpdate), as you: the
admission webhook records who approved from the API server's account of the request. Refuses
(exit 1) when the activation is not Manual, when nothing awaits approval, or when V is not
offered (newer than the approved version on the activation's channel and not withdrawn).
Approving the version already approved changes nothing and exits 0.
JSON: {namespace, activation, block, previousVersion, approvedVersion, approvedBy, approvedAt}
(approvedBy and approvedAt are null when no webhook recorded the approval)`,

  decline: `kubectl aihub decline: decline an update of a BlockActivation.

Usage: kubectl aihub decline ACTIVATION [-n NAMESPACE] [--version V] [-o json|yaml]

Sets spec.declinedVersion to V (default: the version in status.availableUpdate), as you: the
version is offered no more (a newer one is), the activation keeps running its approved version,
and the admission webhook records who declined. Refuses (exit 1) when the activation is not
Manual, when nothing awaits approval, or when V is not offered. Declining the version already
declined changes nothing and exits 0.
JSON: {namespace, activation, block, approvedVersion, declinedVersion, declinedBy, declinedAt}`,

  catalog: `kubectl aihub catalog: the blocks of the national catalog.

Usage: kubectl aihub catalog [-o json|yaml]

Columns: NAME, SUPPLIER, COUNTRY, RISK (EU AI Act risk class), CERTIFIED UNTIL ("(expired)"
after that day, Europe/Amsterdam), STABLE and CANDIDATE (the newest version per channel; no
candidate when it is the stable one).
JSON: {"blocks": [{name, displayName, category, supplier: {name, country}, riskClass,
dpiaReference, certifiedBy, certifiedUntil, certificationValid, certified, latestVersions:
{stable, candidate}, versions, withdrawnVersions}]}`,

  "explain-block": `kubectl aihub explain-block: what a block's parameters are, and what it processes.

Usage: kubectl aihub explain-block BLOCK [--version V] [-o json|yaml]

Shows each parameter with its type, whether it is required, its default and its bounds
(minimum..maximum, max length, allowed values), and the processing activities of the newest
stable version (or of --version V).
JSON: {name, displayName, description, category, riskClass, version, parameters: [{name, type,
required, default, minimum, maximum, maxLength, allowedValues, description}],
processingActivities: [{id, personalData, description}]}`,

  rollout: `kubectl aihub rollout: a block's fleet rollouts (BlockRollouts, one per version).

Usage:
  kubectl aihub rollout status BLOCK [--version V] [-o json|yaml]
  kubectl aihub rollout pause  BLOCK [--version V]
  kubectl aihub rollout resume BLOCK [--version V]
  kubectl aihub rollout abort  BLOCK [--version V] --yes

status shows every rollout of the block (newest version first) and, for the active ones, their
rings and the activations that failed. pause, resume and abort change the block's active
rollout (spec.paused, spec.abort), or the rollout of --version V; with more than one active
rollout (stable and candidate), --version is required. abort moves every activation the rollout
moved back and withdraws the version; it cannot be undone, so it asks for --yes.
JSON (status): {block, rollouts: [{name, block, version, channel, phase, paused, abort,
currentRing, updated, total, failed, message, rings: [{name, total, updated, failed, startedAt,
completedAt, analysis}], activationStates, failedActivations: [{activation, ring, message}]}]}
JSON (pause, resume, abort): {rollout, block, version, action, changed}`,
};

export const USAGE = `kubectl aihub: the aihub platform (aihub.gemeenten.nl) for the collective's platform team.

Usage: kubectl aihub COMMAND [ARGS] [flags]

Commands:
  tenants                     the municipalities, their health and their activations
  updates [-n NS | -A]        versions waiting for approval, with release notes
  approve ACTIVATION          approve an update (--version V, default the offered update)
  decline ACTIVATION          decline an update: it is offered no more (--version V)
  catalog                     blocks: supplier, risk class, certification, newest versions
  explain-block BLOCK         a block's parameters (types, bounds, defaults) and processing activities
  rollout status|pause|resume|abort BLOCK
                              a block's fleet rollout
  help [COMMAND]              help for a command (also: COMMAND --help)

${FLAGS}

${EXIT_CODES}

It uses your kubeconfig and its current context, like kubectl: the API server decides with your
identity what you may see and change.`;

/** The help for `topic` ("rollout status" counts as rollout), or undefined for an unknown one. */
export function helpFor(topic: string | undefined): string | undefined {
  if (!topic) return `${USAGE}\n`;
  const key = topic.split(" ")[0] ?? "";
  const text = TOPICS[key];
  return text === undefined ? undefined : `${text}\n\n${FLAGS}\n\n${EXIT_CODES}\n`;
}
