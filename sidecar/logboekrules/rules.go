package logboekrules

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Attribute names of Logboek Dataverwerkingen (Logius, draft 0.8) and of aihub.
const (
	AttrProcessingActivityID = "dpl.core.processing_activity_id"
	AttrDataSubjectID        = "dpl.core.data_subject_id"
	AttrDataSubjectIDType    = "dpl.core.data_subject_id_type"

	// AttrBlockProcessingActivityID keeps the id the block sent, next to the register id.
	AttrBlockProcessingActivityID = "aihub.block.processing_activity_id"
	// AttrViolationReason names the rules a record broke, comma-separated, in a fixed order.
	AttrViolationReason = "aihub.logboek.violation.reason"
	// AttrViolationRedacted lists where a plain BSN was redacted (attribute names, "name", "body").
	AttrViolationRedacted = "aihub.logboek.violation.redacted"

	// Redacted replaces a plain BSN.
	Redacted = "[BSN-REDACTED]"
)

// Reasons, in the order they appear in AttrViolationReason.
const (
	ReasonMissingActivity  = "missing_processing_activity_id"
	ReasonUnmappedActivity = "unmapped_processing_activity_id"
	// ReasonUndeclaredPersonalData: a data subject id in a record of an activity declared as
	// processing no personal data.
	ReasonUndeclaredPersonalData = "personal_data_in_activity_without_personal_data"
	ReasonPlainBSN               = "plain_bsn"

	// NotLoggedNoPersonalData is why a record is not passed on at all: its activity processes no
	// personal data, so it is no processing the Logboek accounts for.
	NotLoggedNoPersonalData = "no_personal_data"
)

// IsBSN reports whether s is nine digits that pass the eleven-test
// (9·d1 + 8·d2 + … + 2·d8 − 1·d9 divisible by 11).
func IsBSN(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		w := 9 - i
		if i == 8 {
			w = -1
		}
		sum += w * int(c-'0')
	}
	return sum%11 == 0
}

// looksLikePlainBSN reports whether a data subject id is a plain BSN: nine digits passing the
// eleven-test, also when written with spaces, dots or dashes, or as eight digits without the
// leading zero.
func looksLikePlainBSN(v string) bool {
	digits := make([]byte, 0, 12)
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '.' || c == '-':
		default:
			return false
		}
	}
	if len(digits) == 8 {
		digits = append([]byte{'0'}, digits...)
	}
	return IsBSN(string(digits))
}

// redactBSNs replaces every number of exactly nine digits that stands on its own (not next to
// another letter or digit, so not inside a hex pseudonym or a longer number) and passes the
// eleven-test. It returns the text and whether it replaced anything.
func redactBSNs(s string) (string, bool) {
	// Fast path: fewer than nine digits in a row cannot hold a BSN.
	run, found := 0, false
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			if run >= 9 {
				found = true
				break
			}
		} else {
			run = 0
		}
	}
	if !found {
		return s, false
	}
	var b strings.Builder
	changed := false
	i := 0
	for i < len(s) {
		if s[i] < '0' || s[i] > '9' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j-i == 9 && !alnumAt(s, i-1) && !alnumAt(s, j) && IsBSN(s[i:j]) {
			b.WriteString(Redacted)
			changed = true
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	if !changed {
		return s, false
	}
	return b.String(), true
}

// redactValue redacts plain BSNs in a value (strings, and strings inside lists and maps).
func redactValue(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if r, ok := redactBSNs(v.Str()); ok {
			v.SetStr(r)
			return true
		}
	case pcommon.ValueTypeSlice:
		changed := false
		s := v.Slice()
		for i := 0; i < s.Len(); i++ {
			changed = redactValue(s.At(i)) || changed
		}
		return changed
	case pcommon.ValueTypeMap:
		return len(redactMap(v.Map(), "")) > 0
	case pcommon.ValueTypeInt:
		// A BSN sent as a number: nine digits (or eight, the leading zero lost).
		n := v.Int()
		if n >= 10_000_000 && n <= 999_999_999 {
			s := pcommon.NewValueInt(n).AsString()
			if len(s) == 8 {
				s = "0" + s
			}
			if IsBSN(s) {
				v.SetStr(Redacted)
				return true
			}
		}
	}
	return false
}

// redactMap redacts plain BSNs in every value of m and returns the keys it changed (prefixed).
func redactMap(m pcommon.Map, prefix string) []string {
	var changed []string
	for k, v := range m.All() {
		if redactValue(v) {
			changed = append(changed, prefix+k)
		}
	}
	return changed
}

// verdict is what the rules decided about one record.
type verdict struct {
	missing, unmapped, undeclared, bsn bool
	// notLogged: of an activity without personal data; dropped unless it is a violation.
	notLogged bool
	redacted  []string
}

func (v *verdict) violation() bool { return v.missing || v.unmapped || v.undeclared || v.bsn }

// dropped reports whether the record goes to no stream: of an activity without personal data,
// and breaking no rule.
func (v *verdict) dropped() bool { return v.notLogged && !v.violation() }

func (v *verdict) reasons() []string {
	var r []string
	if v.missing {
		r = append(r, ReasonMissingActivity)
	}
	if v.unmapped {
		r = append(r, ReasonUnmappedActivity)
	}
	if v.undeclared {
		r = append(r, ReasonUndeclaredPersonalData)
	}
	if v.bsn {
		r = append(r, ReasonPlainBSN)
	}
	return r
}

// scrubReserved removes attributes that only the sidecar may set, so that a block cannot
// forge them.
func scrubReserved(attrs pcommon.Map) {
	attrs.RemoveIf(func(k string, _ pcommon.Value) bool {
		return k == AttrBlockProcessingActivityID || strings.HasPrefix(k, "aihub.logboek.")
	})
}

// activityRules are the activation's mapping and the activities declared without personal data.
type activityRules struct {
	mapped         map[string]string
	noPersonalData map[string]bool
}

func newActivityRules(c *Config) activityRules {
	r := activityRules{mapped: c.Activities, noPersonalData: map[string]bool{}}
	for _, id := range c.NoPersonalData {
		r.noPersonalData[id] = true
	}
	return r
}

// applyActivity maps the processing activity id of a record's attributes through the mapping.
// requireActivity says whether a record without one breaks the rules (spans: yes; log lines: no).
func applyActivity(attrs pcommon.Map, rules activityRules, requireActivity bool, v *verdict) {
	raw, ok := attrs.Get(AttrProcessingActivityID)
	if !ok || raw.AsString() == "" {
		if requireActivity {
			v.missing = true
		}
		attrs.Remove(AttrProcessingActivityID)
		return
	}
	blockID := raw.AsString()
	attrs.PutStr(AttrBlockProcessingActivityID, blockID)
	register, mapped := rules.mapped[blockID]
	if !mapped {
		// Not an entry of the municipality's register: do not pass the block's id off as one.
		attrs.Remove(AttrProcessingActivityID)
		if !rules.noPersonalData[blockID] {
			v.unmapped = true
			return
		}
		// Declared without personal data: no register entry is needed, unless it names a data subject.
		if _, ok := attrs.Get(AttrDataSubjectID); ok {
			v.undeclared = true
		} else {
			v.notLogged = true
		}
		return
	}
	attrs.PutStr(AttrProcessingActivityID, register)
}

// checkDataSubject redacts a data subject id that is a plain BSN.
func checkDataSubject(attrs pcommon.Map, v *verdict) {
	subject, ok := attrs.Get(AttrDataSubjectID)
	if !ok {
		return
	}
	if looksLikePlainBSN(subject.AsString()) {
		subject.SetStr(Redacted)
		v.bsn = true
		v.redacted = append(v.redacted, AttrDataSubjectID)
	}
}

// mark writes the verdict into a violating record's attributes.
func mark(attrs pcommon.Map, v *verdict) {
	attrs.PutStr(AttrViolationReason, strings.Join(v.reasons(), ","))
	if len(v.redacted) > 0 {
		s := attrs.PutEmptySlice(AttrViolationRedacted)
		for _, r := range v.redacted {
			s.AppendEmpty().SetStr(r)
		}
	}
}

// alnumAt reports whether s has an ASCII letter or digit at i.
func alnumAt(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
