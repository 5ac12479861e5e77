// Package logboekrules is aihub's connector that enforces the rules of Logboek Dataverwerkingen
// (Logius, draft 0.8) in the logging sidecar, between the block and the municipality's Logboek.
//
// For each span: the processing activity id the block sent is mapped to the municipality's
// register id (the block's id is kept in aihub.block.processing_activity_id). A span without
// a processing activity id, with one the mapping does not know, or with a plain BSN (nine
// digits passing the eleven-test) as its data subject id or anywhere in its text, goes to the
// violation pipelines instead of the records pipelines: redacted, with the reasons in
// aihub.logboek.violation.reason, and counted in otelcol_logboek_violations_total{reason}.
// Log records (the block's log files, OTLP logs) need no processing activity id, but a plain
// BSN in them sends them to the violation pipelines the same way. A plain BSN is never
// forwarded. A record of an activity the block declares without personal data (and the
// activation does not map) goes to no stream, counted in otelcol_logboek_not_logged; with a data
// subject id or a plain BSN it is a violation instead.
package logboekrules

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pipeline"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// TypeStr is the connector's type in a collector configuration.
const TypeStr = "logboekrules"

var componentType = component.MustNewType(TypeStr)

// NewFactory returns the connector's factory (traces to traces, logs to logs).
func NewFactory() connector.Factory {
	return connector.NewFactory(
		componentType,
		func() component.Config { return &Config{Activities: map[string]string{}} },
		connector.WithTracesToTraces(createTraces, component.StabilityLevelBeta),
		connector.WithLogsToLogs(createLogs, component.StabilityLevelBeta),
	)
}

type telemetry struct {
	violations metric.Int64Counter
	records    metric.Int64Counter
	notLogged  metric.Int64Counter
}

func newTelemetry(set connector.Settings) (*telemetry, error) {
	meter := set.MeterProvider.Meter("aihub.gemeenten.nl/sidecar/logboekrules")
	violations, err := meter.Int64Counter("otelcol_logboek_violations",
		metric.WithDescription("Records that broke a rule of Logboek Dataverwerkingen and went to the violation stream, by reason (a record can have more than one)."),
		metric.WithUnit("{records}"))
	if err != nil {
		return nil, err
	}
	records, err := meter.Int64Counter("otelcol_logboek_records",
		metric.WithDescription("Records the rules passed on, by signal and stream (records or violations)."),
		metric.WithUnit("{records}"))
	if err != nil {
		return nil, err
	}
	notLogged, err := meter.Int64Counter("otelcol_logboek_not_logged",
		metric.WithDescription("Records passed to no stream, by signal and reason (no_personal_data: of an activity declared without personal data)."),
		metric.WithUnit("{records}"))
	if err != nil {
		return nil, err
	}
	return &telemetry{violations: violations, records: records, notLogged: notLogged}, nil
}

func (t *telemetry) count(ctx context.Context, signal string, passed, violating, dropped int, reasons map[string]int) {
	if dropped > 0 {
		t.notLogged.Add(ctx, int64(dropped), metric.WithAttributes(attribute.String("signal", signal), attribute.String("reason", NotLoggedNoPersonalData)))
	}
	if passed > 0 {
		t.records.Add(ctx, int64(passed), metric.WithAttributes(attribute.String("signal", signal), attribute.String("stream", "records")))
	}
	if violating > 0 {
		t.records.Add(ctx, int64(violating), metric.WithAttributes(attribute.String("signal", signal), attribute.String("stream", "violations")))
	}
	for reason, n := range reasons {
		t.violations.Add(ctx, int64(n), metric.WithAttributes(attribute.String("signal", signal), attribute.String("reason", reason)))
	}
}

// only keeps the pipelines of one signal.
func only(ids []pipeline.ID, signal pipeline.Signal) []pipeline.ID {
	var out []pipeline.ID
	for _, id := range ids {
		if id.Signal() == signal {
			out = append(out, id)
		}
	}
	return out
}

type tracesConnector struct {
	component.StartFunc
	component.ShutdownFunc
	rules               activityRules
	records, violations consumer.Traces
	telemetry           *telemetry
}

func createTraces(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Traces) (connector.Traces, error) {
	c := cfg.(*Config)
	router, ok := next.(connector.TracesRouterAndConsumer)
	if !ok {
		return nil, fmt.Errorf("%s needs its records and violations pipelines as receivers", TypeStr)
	}
	records, err := router.Consumer(only(c.Records, pipeline.SignalTraces)...)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	violations, err := router.Consumer(only(c.Violations, pipeline.SignalTraces)...)
	if err != nil {
		return nil, fmt.Errorf("violations: %w", err)
	}
	t, err := newTelemetry(set)
	if err != nil {
		return nil, err
	}
	return &tracesConnector{rules: newActivityRules(c), records: records, violations: violations, telemetry: t}, nil
}

func (c *tracesConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

// ConsumeTraces applies the rules to every span and sends each to its stream. It returns once
// both streams took their part (with a persisted sending queue: once it is on disk), so the
// block's write is acknowledged only then.
func (c *tracesConnector) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	violations := ptrace.NewTraces()
	reasons := map[string]int{}
	passed, violating, dropped := 0, 0, 0
	for _, rs := range td.ResourceSpans().All() {
		resourceRedacted := prefixed("resource.", redactMap(rs.Resource().Attributes(), ""))
		var vrs ptrace.ResourceSpans
		for _, ss := range rs.ScopeSpans().All() {
			scopeRedacted := prefixed("scope.", redactMap(ss.Scope().Attributes(), ""))
			var vss ptrace.ScopeSpans
			ss.Spans().RemoveIf(func(span ptrace.Span) bool {
				v := verdict{redacted: append(append([]string(nil), resourceRedacted...), scopeRedacted...)}
				v.bsn = len(v.redacted) > 0
				c.check(span, &v)
				if v.dropped() {
					dropped++
					return true
				}
				if !v.violation() {
					passed++
					return false
				}
				violating++
				for _, r := range v.reasons() {
					reasons[r]++
				}
				mark(span.Attributes(), &v)
				if vss == (ptrace.ScopeSpans{}) {
					if vrs == (ptrace.ResourceSpans{}) {
						vrs = violations.ResourceSpans().AppendEmpty()
						rs.Resource().CopyTo(vrs.Resource())
						vrs.SetSchemaUrl(rs.SchemaUrl())
					}
					vss = vrs.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(vss.Scope())
					vss.SetSchemaUrl(ss.SchemaUrl())
				}
				span.MoveTo(vss.Spans().AppendEmpty())
				return true
			})
		}
	}
	td.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
		rs.ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool { return ss.Spans().Len() == 0 })
		return rs.ScopeSpans().Len() == 0
	})
	if violating > 0 {
		if err := c.violations.ConsumeTraces(ctx, violations); err != nil {
			return err
		}
	}
	if passed > 0 {
		if err := c.records.ConsumeTraces(ctx, td); err != nil {
			return err
		}
	}
	c.telemetry.count(ctx, "traces", passed, violating, dropped, reasons)
	return nil
}

// check applies the rules to one span: the activity mapping, the data subject id, and plain
// BSNs in its name, attributes, events, links and status message.
func (c *tracesConnector) check(span ptrace.Span, v *verdict) {
	attrs := span.Attributes()
	scrubReserved(attrs)
	applyActivity(attrs, c.rules, true, v)
	checkDataSubject(attrs, v)
	v.redacted = append(v.redacted, redactMap(attrs, "")...)
	if r, ok := redactBSNs(span.Name()); ok {
		span.SetName(r)
		v.redacted = append(v.redacted, "name")
	}
	if r, ok := redactBSNs(span.Status().Message()); ok {
		span.Status().SetMessage(r)
		v.redacted = append(v.redacted, "status.message")
	}
	for i, ev := range span.Events().All() {
		if r, ok := redactBSNs(ev.Name()); ok {
			ev.SetName(r)
			v.redacted = append(v.redacted, fmt.Sprintf("events.%d.name", i))
		}
		v.redacted = append(v.redacted, prefixed(fmt.Sprintf("events.%d.", i), redactMap(ev.Attributes(), ""))...)
	}
	for i, l := range span.Links().All() {
		v.redacted = append(v.redacted, prefixed(fmt.Sprintf("links.%d.", i), redactMap(l.Attributes(), ""))...)
	}
	if len(v.redacted) > 0 {
		v.bsn = true
	}
}

type logsConnector struct {
	component.StartFunc
	component.ShutdownFunc
	rules               activityRules
	records, violations consumer.Logs
	telemetry           *telemetry
}

func createLogs(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Logs) (connector.Logs, error) {
	c := cfg.(*Config)
	router, ok := next.(connector.LogsRouterAndConsumer)
	if !ok {
		return nil, fmt.Errorf("%s needs its records and violations pipelines as receivers", TypeStr)
	}
	records, err := router.Consumer(only(c.Records, pipeline.SignalLogs)...)
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	violations, err := router.Consumer(only(c.Violations, pipeline.SignalLogs)...)
	if err != nil {
		return nil, fmt.Errorf("violations: %w", err)
	}
	t, err := newTelemetry(set)
	if err != nil {
		return nil, err
	}
	return &logsConnector{rules: newActivityRules(c), records: records, violations: violations, telemetry: t}, nil
}

func (c *logsConnector) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

// ConsumeLogs: a log record needs no processing activity id (one it has is mapped like a
// span's), but a plain BSN anywhere in it sends it, redacted, to the violation stream.
func (c *logsConnector) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	violations := plog.NewLogs()
	reasons := map[string]int{}
	passed, violating, dropped := 0, 0, 0
	for _, rl := range ld.ResourceLogs().All() {
		resourceRedacted := prefixed("resource.", redactMap(rl.Resource().Attributes(), ""))
		var vrl plog.ResourceLogs
		for _, sl := range rl.ScopeLogs().All() {
			scopeRedacted := prefixed("scope.", redactMap(sl.Scope().Attributes(), ""))
			var vsl plog.ScopeLogs
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				v := verdict{redacted: append(append([]string(nil), resourceRedacted...), scopeRedacted...)}
				attrs := lr.Attributes()
				scrubReserved(attrs)
				applyActivity(attrs, c.rules, false, &v)
				checkDataSubject(attrs, &v)
				v.redacted = append(v.redacted, redactMap(attrs, "")...)
				if redactValue(lr.Body()) {
					v.redacted = append(v.redacted, "body")
				}
				if len(v.redacted) > 0 {
					v.bsn = true
				}
				if v.dropped() {
					dropped++
					return true
				}
				if !v.violation() {
					passed++
					return false
				}
				violating++
				for _, r := range v.reasons() {
					reasons[r]++
				}
				mark(attrs, &v)
				if vsl == (plog.ScopeLogs{}) {
					if vrl == (plog.ResourceLogs{}) {
						vrl = violations.ResourceLogs().AppendEmpty()
						rl.Resource().CopyTo(vrl.Resource())
						vrl.SetSchemaUrl(rl.SchemaUrl())
					}
					vsl = vrl.ScopeLogs().AppendEmpty()
					sl.Scope().CopyTo(vsl.Scope())
					vsl.SetSchemaUrl(sl.SchemaUrl())
				}
				lr.MoveTo(vsl.LogRecords().AppendEmpty())
				return true
			})
		}
	}
	ld.ResourceLogs().RemoveIf(func(rl plog.ResourceLogs) bool {
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool { return sl.LogRecords().Len() == 0 })
		return rl.ScopeLogs().Len() == 0
	})
	if violating > 0 {
		if err := c.violations.ConsumeLogs(ctx, violations); err != nil {
			return err
		}
	}
	if passed > 0 {
		if err := c.records.ConsumeLogs(ctx, ld); err != nil {
			return err
		}
	}
	c.telemetry.count(ctx, "logs", passed, violating, dropped, reasons)
	return nil
}

func prefixed(prefix string, keys []string) []string {
	for i, k := range keys {
		keys[i] = prefix + k
	}
	return keys
}
