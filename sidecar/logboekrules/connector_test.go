package logboekrules

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pipeline"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Valid BSNs (eleven-test): 111222333 and 123456782; 123456789 fails it.
const (
	bsn      = "111222333"
	otherBSN = "123456782"
	notBSN   = "123456789"
)

var (
	recordsTraces    = pipeline.NewIDWithName(pipeline.SignalTraces, "logboek")
	violationsTraces = pipeline.NewIDWithName(pipeline.SignalTraces, "violations")
	recordsLogs      = pipeline.NewIDWithName(pipeline.SignalLogs, "logboek")
	violationsLogs   = pipeline.NewIDWithName(pipeline.SignalLogs, "violations")
)

func testConfig() *Config {
	return &Config{
		Activities: map[string]string{"beoordelen-bezwaar": "vwr-0042", "intake": "vwr-0007"},
		Records:    []pipeline.ID{recordsTraces, recordsLogs},
		Violations: []pipeline.ID{violationsTraces, violationsLogs},
	}
}

type harness struct {
	traces                  connector.Traces
	logs                    connector.Logs
	records, violations     *consumertest.TracesSink
	logRecords, logViolated *consumertest.LogsSink
	reader                  *sdkmetric.ManualReader
}

func newHarness(t *testing.T, cfg *Config) *harness {
	t.Helper()
	h := &harness{
		records: new(consumertest.TracesSink), violations: new(consumertest.TracesSink),
		logRecords: new(consumertest.LogsSink), logViolated: new(consumertest.LogsSink),
		reader: sdkmetric.NewManualReader(),
	}
	set := connectortest.NewNopSettings(componentType)
	set.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	f := NewFactory()
	var err error
	h.traces, err = f.CreateTracesToTraces(context.Background(), set, cfg, connector.NewTracesRouter(map[pipeline.ID]consumer.Traces{
		recordsTraces: h.records, violationsTraces: h.violations,
	}))
	if err != nil {
		t.Fatal(err)
	}
	h.logs, err = f.CreateLogsToLogs(context.Background(), set, cfg, connector.NewLogsRouter(map[pipeline.ID]consumer.Logs{
		recordsLogs: h.logRecords, violationsLogs: h.logViolated,
	}))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// spans builds one resource with one scope holding a span per attribute map.
func spans(attrs ...map[string]any) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "bezwaar-intake")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("block")
	for i, a := range attrs {
		s := ss.Spans().AppendEmpty()
		s.SetName("beoordeel bezwaar")
		s.SetTraceID(pcommon.TraceID([16]byte{1, 2, 3}))
		s.SetSpanID(pcommon.SpanID([8]byte{byte(i + 1)}))
		if err := s.Attributes().FromRaw(a); err != nil {
			panic(err)
		}
	}
	return td
}

func allSpans(sink *consumertest.TracesSink) []ptrace.Span {
	var out []ptrace.Span
	for _, td := range sink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func str(t *testing.T, m pcommon.Map, k string) string {
	t.Helper()
	v, ok := m.Get(k)
	if !ok {
		return "<absent>"
	}
	return v.AsString()
}

// counts reads a counter's data points as "attr=value,..." -> value.
func counts(t *testing.T, r *sdkmetric.ManualReader, name string) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				var kv []string
				for _, a := range dp.Attributes.ToSlice() {
					kv = append(kv, string(a.Key)+"="+a.Value.Emit())
				}
				out[strings.Join(kv, ",")] = dp.Value
			}
		}
	}
	return out
}

func TestIsBSN(t *testing.T) {
	for s, want := range map[string]bool{
		bsn: true, otherBSN: true, "000000000": true, notBSN: false,
		"11122233": false, "1112223334": false, "11122233a": false, "": false,
	} {
		if IsBSN(s) != want {
			t.Errorf("IsBSN(%q) = %v, want %v", s, !want, want)
		}
	}
	// Every BSN the eleven-test accepts in a range, counted independently of IsBSN.
	n := 0
	for i := 100000000; i < 100001000; i++ {
		d := pcommon.NewValueInt(int64(i)).AsString()
		sum := 0
		for j := 0; j < 8; j++ {
			sum += (9 - j) * int(d[j]-'0')
		}
		sum -= int(d[8] - '0')
		if (sum%11 == 0) != IsBSN(d) {
			t.Fatalf("IsBSN(%s) disagrees with the eleven-test", d)
		}
		if IsBSN(d) {
			n++
		}
	}
	if n < 80 || n > 100 {
		t.Errorf("%d of 1000 numbers pass, expected about 1 in 11", n)
	}
}

func TestLooksLikePlainBSN(t *testing.T) {
	for s, want := range map[string]bool{
		bsn: true, "111 222 333": true, "111.222.333": true, "111-222-333": true,
		"11222333": false, // eight digits: 011222333 fails the test
		"12345672": true,  // 012345672 passes: a BSN that lost its leading zero
		notBSN:     false, "pseudo:" + bsn: false, "a3f9c2": false,
	} {
		if looksLikePlainBSN(s) != want {
			t.Errorf("looksLikePlainBSN(%q) = %v, want %v", s, !want, want)
		}
	}
}

func TestRedactBSNs(t *testing.T) {
	for in, want := range map[string]string{
		"bsn " + bsn + " ok":      "bsn " + Redacted + " ok",
		bsn + "," + otherBSN:      Redacted + "," + Redacted,
		"order " + notBSN:         "order " + notBSN,
		"ts 1" + bsn:              "ts 1" + bsn, // ten digits: not a BSN
		"no digits":               "no digits",
		"x" + bsn + "y":           "x" + bsn + "y", // inside a word (a hex pseudonym): not on its own
		"(" + bsn + ")/" + notBSN: "(" + Redacted + ")/" + notBSN,
		"pseudo-" + bsn + "ab12":  "pseudo-" + bsn + "ab12",
		"bsn=" + bsn + ";":        "bsn=" + Redacted + ";",
	} {
		got, changed := redactBSNs(in)
		if got != want || changed != (in != want) {
			t.Errorf("redactBSNs(%q) = %q, %v; want %q", in, got, changed, want)
		}
	}
}

func TestMappedSpansGoToRecords(t *testing.T) {
	h := newHarness(t, testConfig())
	td := spans(
		map[string]any{AttrProcessingActivityID: "beoordelen-bezwaar", AttrDataSubjectID: "pseudo-7f3a", AttrDataSubjectIDType: "pseudoniem"},
		map[string]any{AttrProcessingActivityID: "intake", AttrBlockProcessingActivityID: "forged", "aihub.logboek.violation.reason": "forged"},
	)
	if err := h.traces.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	got := allSpans(h.records)
	if len(got) != 2 || h.violations.SpanCount() != 0 {
		t.Fatalf("records %d, violations %d; want 2 and 0", len(got), h.violations.SpanCount())
	}
	a := got[0].Attributes()
	if str(t, a, AttrProcessingActivityID) != "vwr-0042" || str(t, a, AttrBlockProcessingActivityID) != "beoordelen-bezwaar" {
		t.Errorf("mapping: %v", a.AsRaw())
	}
	if str(t, a, AttrDataSubjectID) != "pseudo-7f3a" || str(t, a, AttrDataSubjectIDType) != "pseudoniem" {
		t.Errorf("data subject changed: %v", a.AsRaw())
	}
	b := got[1].Attributes()
	if str(t, b, AttrProcessingActivityID) != "vwr-0007" || str(t, b, AttrBlockProcessingActivityID) != "intake" {
		t.Errorf("mapping: %v", b.AsRaw())
	}
	if _, forged := b.Get("aihub.logboek.violation.reason"); forged {
		t.Errorf("a block's aihub.logboek.* attribute was forwarded: %v", b.AsRaw())
	}
	if got[0].TraceID() != pcommon.TraceID([16]byte{1, 2, 3}) {
		t.Error("trace id changed")
	}
	if c := counts(t, h.reader, "otelcol_logboek_violations"); len(c) != 0 {
		t.Errorf("violations counted: %v", c)
	}
	if c := counts(t, h.reader, "otelcol_logboek_records"); c["signal=traces,stream=records"] != 2 {
		t.Errorf("records counted: %v", c)
	}
}

func TestViolationsAreSplitRedactedAndCounted(t *testing.T) {
	h := newHarness(t, testConfig())
	td := spans(
		map[string]any{AttrProcessingActivityID: "intake", AttrDataSubjectID: "pseudo-1"}, // passes
		map[string]any{AttrDataSubjectID: "pseudo-2"},                                     // no activity
		map[string]any{AttrProcessingActivityID: "onbekend"},                              // unmapped
		map[string]any{AttrProcessingActivityID: "intake", AttrDataSubjectID: bsn},        // plain BSN
		map[string]any{AttrProcessingActivityID: "", AttrDataSubjectID: "111.222.333"},    // both
		map[string]any{AttrProcessingActivityID: "intake", "note": "burger " + otherBSN},  // BSN elsewhere
		map[string]any{AttrProcessingActivityID: "intake", AttrDataSubjectID: notBSN},     // not a BSN
	)
	if err := h.traces.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	rec, vio := allSpans(h.records), allSpans(h.violations)
	if len(rec) != 2 || len(vio) != 5 {
		t.Fatalf("records %d, violations %d; want 2 and 5", len(rec), len(vio))
	}
	reasons := []string{}
	for _, s := range vio {
		a := s.Attributes()
		reasons = append(reasons, str(t, a, AttrViolationReason))
		for k, v := range a.All() {
			if strings.Contains(v.AsString(), bsn) || strings.Contains(v.AsString(), otherBSN) || strings.Contains(v.AsString(), "111.222.333") {
				t.Errorf("plain BSN forwarded in %s: %v", k, a.AsRaw())
			}
		}
	}
	want := []string{ReasonMissingActivity, ReasonUnmappedActivity, ReasonPlainBSN, ReasonMissingActivity + "," + ReasonPlainBSN, ReasonPlainBSN}
	if strings.Join(reasons, " ") != strings.Join(want, " ") {
		t.Errorf("reasons %v, want %v", reasons, want)
	}
	if a := vio[1].Attributes(); str(t, a, AttrProcessingActivityID) != "<absent>" || str(t, a, AttrBlockProcessingActivityID) != "onbekend" {
		t.Errorf("unmapped: the block's id must not pass as a register id: %v", a.AsRaw())
	}
	if a := vio[2].Attributes(); str(t, a, AttrDataSubjectID) != Redacted || str(t, a, AttrProcessingActivityID) != "vwr-0007" {
		t.Errorf("BSN span: %v", a.AsRaw())
	}
	if a := vio[4].Attributes(); str(t, a, "note") != "burger "+Redacted || str(t, a, AttrViolationRedacted) != `["note"]` {
		t.Errorf("BSN elsewhere: %v", a.AsRaw())
	}
	// The violation keeps its resource and scope, and its ids.
	vtd := h.violations.AllTraces()[0]
	if str(t, vtd.ResourceSpans().At(0).Resource().Attributes(), "service.name") != "bezwaar-intake" ||
		vtd.ResourceSpans().At(0).ScopeSpans().At(0).Scope().Name() != "block" {
		t.Error("violation lost its resource or scope")
	}
	if vio[0].SpanID() != pcommon.SpanID([8]byte{2}) {
		t.Error("violation lost its span id")
	}
	c := counts(t, h.reader, "otelcol_logboek_violations")
	wantCounts := map[string]int64{
		"reason=" + ReasonMissingActivity + ",signal=traces":  2,
		"reason=" + ReasonUnmappedActivity + ",signal=traces": 1,
		"reason=" + ReasonPlainBSN + ",signal=traces":         3,
	}
	for k, v := range wantCounts {
		if c[k] != v {
			t.Errorf("count %s = %d, want %d (all: %v)", k, c[k], v, c)
		}
	}
	if r := counts(t, h.reader, "otelcol_logboek_records"); r["signal=traces,stream=violations"] != 5 || r["signal=traces,stream=records"] != 2 {
		t.Errorf("records counted: %v", r)
	}
}

func TestBSNInNameEventsResourceIsRedacted(t *testing.T) {
	h := newHarness(t, testConfig())
	td := spans(map[string]any{AttrProcessingActivityID: "intake"})
	td.ResourceSpans().At(0).Resource().Attributes().PutStr("burger", bsn)
	s := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	s.SetName("zoek " + bsn)
	s.Events().AppendEmpty().Attributes().PutInt("bsn", 111222333)
	s.Status().SetMessage("niet gevonden: " + bsn)
	if err := h.traces.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	if h.records.SpanCount() != 0 || h.violations.SpanCount() != 1 {
		t.Fatalf("records %d, violations %d", h.records.SpanCount(), h.violations.SpanCount())
	}
	v := allSpans(h.violations)[0]
	res := h.violations.AllTraces()[0].ResourceSpans().At(0).Resource().Attributes()
	if v.Name() != "zoek "+Redacted || v.Status().Message() != "niet gevonden: "+Redacted ||
		str(t, v.Events().At(0).Attributes(), "bsn") != Redacted || str(t, res, "burger") != Redacted {
		t.Errorf("not redacted: name %q, status %q, event %v, resource %v", v.Name(), v.Status().Message(), v.Events().At(0).Attributes().AsRaw(), res.AsRaw())
	}
	if got := str(t, v.Attributes(), AttrViolationRedacted); got != `["resource.burger","name","status.message","events.0.bsn"]` {
		t.Errorf("redacted list %s", got)
	}
}

func TestLogs(t *testing.T) {
	h := newHarness(t, testConfig())
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lrs.AppendEmpty().Body().SetStr("verwerkt bezwaar 42")
	lrs.AppendEmpty().Body().SetStr("burger " + bsn + " niet gevonden")
	m := lrs.AppendEmpty()
	m.Body().SetStr("intake")
	m.Attributes().PutStr(AttrProcessingActivityID, "intake")
	if err := h.logs.ConsumeLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	if h.logRecords.LogRecordCount() != 2 || h.logViolated.LogRecordCount() != 1 {
		t.Fatalf("records %d, violations %d", h.logRecords.LogRecordCount(), h.logViolated.LogRecordCount())
	}
	v := h.logViolated.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	if v.Body().Str() != "burger "+Redacted+" niet gevonden" || str(t, v.Attributes(), AttrViolationReason) != ReasonPlainBSN {
		t.Errorf("violation %q %v", v.Body().Str(), v.Attributes().AsRaw())
	}
	r := h.logRecords.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(1)
	if str(t, r.Attributes(), AttrProcessingActivityID) != "vwr-0007" {
		t.Errorf("log record mapping: %v", r.Attributes().AsRaw())
	}
	if c := counts(t, h.reader, "otelcol_logboek_violations"); c["reason=plain_bsn,signal=logs"] != 1 {
		t.Errorf("counts %v", c)
	}
}

// An activity declared without personal data needs no register entry: its records go nowhere,
// counted, unless one names a data subject or holds a plain BSN, which is a violation. A mapping
// of it still maps.
func TestActivitiesWithoutPersonalData(t *testing.T) {
	cfg := testConfig()
	cfg.NoPersonalData = []string{"statistiek", "intake"}
	h := newHarness(t, cfg)
	td := spans(
		map[string]any{AttrProcessingActivityID: "statistiek"},                           // not logged
		map[string]any{AttrProcessingActivityID: "statistiek", AttrDataSubjectID: "p-1"}, // undeclared personal data
		map[string]any{AttrProcessingActivityID: "statistiek", "note": "burger " + bsn},  // a plain BSN
		map[string]any{AttrProcessingActivityID: "intake", AttrDataSubjectID: "p-2"},     // mapped: a record
		map[string]any{AttrProcessingActivityID: "onbekend"},                             // unmapped, as before
	)
	if err := h.traces.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	rec, vio := allSpans(h.records), allSpans(h.violations)
	if len(rec) != 1 || len(vio) != 3 {
		t.Fatalf("records %d, violations %d; want 1 and 3", len(rec), len(vio))
	}
	if a := rec[0].Attributes(); str(t, a, AttrProcessingActivityID) != "vwr-0007" {
		t.Errorf("a mapped activity declared without personal data is still mapped: %v", a.AsRaw())
	}
	reasons := []string{}
	for _, s := range vio {
		reasons = append(reasons, str(t, s.Attributes(), AttrViolationReason))
	}
	want := []string{ReasonUndeclaredPersonalData, ReasonPlainBSN, ReasonUnmappedActivity}
	if strings.Join(reasons, " ") != strings.Join(want, " ") {
		t.Errorf("reasons %v, want %v", reasons, want)
	}
	if a := vio[0].Attributes(); str(t, a, AttrProcessingActivityID) != "<absent>" || str(t, a, AttrBlockProcessingActivityID) != "statistiek" {
		t.Errorf("undeclared: the block's id must not pass as a register id: %v", a.AsRaw())
	}
	// A log line of it goes nowhere either.
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr("telling bijgewerkt")
	lr.Attributes().PutStr(AttrProcessingActivityID, "statistiek")
	if err := h.logs.ConsumeLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	if h.logRecords.LogRecordCount() != 0 || h.logViolated.LogRecordCount() != 0 {
		t.Errorf("log line: records %d, violations %d; want none", h.logRecords.LogRecordCount(), h.logViolated.LogRecordCount())
	}
	c := counts(t, h.reader, "otelcol_logboek_not_logged")
	if c["reason=no_personal_data,signal=traces"] != 1 || c["reason=no_personal_data,signal=logs"] != 1 {
		t.Errorf("not logged counts %v", c)
	}
	if v := counts(t, h.reader, "otelcol_logboek_violations"); v["reason="+ReasonUndeclaredPersonalData+",signal=traces"] != 1 {
		t.Errorf("violation counts %v", v)
	}
	bad := testConfig()
	bad.NoPersonalData = []string{""}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "no_personal_data") {
		t.Errorf("validate: %v", err)
	}
}

type failing struct{ consumertest.TracesSink }

func (f *failing) ConsumeTraces(context.Context, ptrace.Traces) error {
	return errors.New("queue full")
}

func TestErrorsReachTheBlock(t *testing.T) {
	set := connectortest.NewNopSettings(componentType)
	c, err := NewFactory().CreateTracesToTraces(context.Background(), set, testConfig(), connector.NewTracesRouter(map[pipeline.ID]consumer.Traces{
		recordsTraces: &failing{}, violationsTraces: new(consumertest.TracesSink),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ConsumeTraces(context.Background(), spans(map[string]any{AttrProcessingActivityID: "intake"})); err == nil {
		t.Error("an export that fails must fail the block's write, so that it retries")
	}
}

func TestConfig(t *testing.T) {
	cm := confmap.NewFromStringMap(map[string]any{
		"activities": map[string]any{"intake": "vwr-0007"},
		"records":    []any{"traces/logboek", "logs/logboek"},
		"violations": []any{"traces/violations", "logs/violations"},
	})
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if err := cm.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Records[0] != recordsTraces || cfg.Violations[1] != violationsLogs || cfg.Activities["intake"] != "vwr-0007" {
		t.Errorf("unmarshalled %+v", cfg)
	}
	bad := &Config{Activities: map[string]string{"x": ""}, Records: []pipeline.ID{recordsTraces}, Violations: []pipeline.ID{recordsTraces}}
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "empty processing activity id") || !strings.Contains(err.Error(), "both") {
		t.Errorf("validate: %v", err)
	}
	if err := (&Config{}).Validate(); err == nil {
		t.Error("a configuration without pipelines must be refused")
	}
	// A pipeline the connector names but that does not take it as receiver is an error at start.
	_, err = NewFactory().CreateTracesToTraces(context.Background(), connectortest.NewNopSettings(componentType), testConfig(),
		connector.NewTracesRouter(map[pipeline.ID]consumer.Traces{recordsTraces: new(consumertest.TracesSink)}))
	if err == nil {
		t.Error("missing violations pipeline accepted")
	}
}

// Pseudonyms (hex of a hash or an encryption) are never taken for a BSN, whatever digits they hold.
func TestPseudonymsAreNotBSNs(t *testing.T) {
	h := newHarness(t, testConfig())
	var attrs []map[string]any
	for i := 0; i < 5000; i++ {
		b := make([]byte, 16)
		for j := range b {
			b[j] = byte((i*7919 + j*104729 + i*j) % 251)
		}
		attrs = append(attrs, map[string]any{
			AttrProcessingActivityID: "intake",
			AttrDataSubjectID:        "pseudo-" + hex.EncodeToString(b),
		})
	}
	if err := h.traces.ConsumeTraces(context.Background(), spans(attrs...)); err != nil {
		t.Fatal(err)
	}
	if h.violations.SpanCount() != 0 {
		t.Errorf("%d pseudonyms taken for a BSN: %v", h.violations.SpanCount(), allSpans(h.violations)[0].Attributes().AsRaw())
	}
}
