package logboekrules

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pipeline"
)

// Config is the connector's configuration. The operator renders it per activation; the block
// has no say in it.
type Config struct {
	// Activities maps the processing activity ids the block declares (what it writes in
	// dpl.core.processing_activity_id) to the municipality's processing register ids.
	Activities map[string]string `mapstructure:"activities"`
	// NoPersonalData lists the activity ids the block declares as processing no personal data
	// (and the activation does not map): such a processing is no entry of the register (GDPR
	// article 30 covers processing of personal data) and its records do not go to the Logboek. A
	// record of one that carries a data subject id, or a plain BSN, contradicts the declaration
	// and is a violation.
	NoPersonalData []string `mapstructure:"no_personal_data"`
	// Records are the pipelines that receive what passes the rules (traces and logs pipelines;
	// each signal uses those of its own signal).
	Records []pipeline.ID `mapstructure:"records"`
	// Violations are the pipelines that receive what breaks a rule, redacted and marked.
	Violations []pipeline.ID `mapstructure:"violations"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	for block, register := range c.Activities {
		if block == "" || register == "" {
			errs = append(errs, fmt.Errorf("activities: empty processing activity id in %q: %q", block, register))
		}
	}
	for _, id := range c.NoPersonalData {
		if id == "" {
			errs = append(errs, errors.New("no_personal_data: empty processing activity id"))
		}
	}
	if len(c.Records) == 0 {
		errs = append(errs, errors.New("records: at least one pipeline is needed"))
	}
	if len(c.Violations) == 0 {
		errs = append(errs, errors.New("violations: at least one pipeline is needed"))
	}
	for _, r := range c.Records {
		for _, v := range c.Violations {
			if r == v {
				errs = append(errs, fmt.Errorf("pipeline %s is both a records and a violations pipeline", r))
			}
		}
	}
	return errors.Join(errs...)
}
