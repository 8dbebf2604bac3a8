package config

import (
	"fmt"
	"net/mail"
	"net/url"
)

// Alerts configures who is notified, and when, of abuse, errors and security-relevant changes.
type Alerts struct {
	// Emails and HTTPSEndpoints subscribe to the environment's alert topic; the topic exists without.
	Emails         []string `json:"emails"`
	HTTPSEndpoints []string `json:"httpsEndpoints"`
	// Thresholds: the counts per five minutes at which an alarm fires; absent means the default of Thresholds.
	GuardrailInterventions *float64 `json:"guardrailInterventionsPerFiveMinutes"`
	PromptAttacks          *float64 `json:"promptAttacksPerFiveMinutes"`
	SensitiveInformation   *float64 `json:"sensitiveInformationPerFiveMinutes"`
	InvocationErrors       *float64 `json:"invocationErrorsPerFiveMinutes"`
	Throttles              *float64 `json:"throttlesPerFiveMinutes"`
	AccessDenied           *float64 `json:"accessDeniedPerFiveMinutes"`
}

// Threshold is one alarm threshold: its field, its configured value and its default.
type Threshold struct {
	Field   string
	Value   *float64
	Default float64
	// target receives the value with the default applied, in Counts.
	target *float64
}

// Get is the configured value, or the default when absent.
func (t Threshold) Get() float64 {
	if t.Value == nil {
		return t.Default
	}
	return *t.Value
}

// Counts are the counts per five minutes at which each alarm fires, defaults applied.
type Counts struct {
	GuardrailInterventions, PromptAttacks, SensitiveInformation, InvocationErrors, Throttles, AccessDenied float64
}

// Counts applies the defaults.
func (a Alerts) Counts() Counts {
	var c Counts
	for _, t := range a.thresholds(&c) {
		*t.target = t.Get()
	}
	return c
}

// Thresholds lists the alarm thresholds with their defaults.
func (a Alerts) Thresholds() []Threshold { return a.thresholds(&Counts{}) }

// thresholds is the one table of thresholds, fields and defaults.
func (a Alerts) thresholds(c *Counts) []Threshold {
	return []Threshold{
		{"alerts.guardrailInterventionsPerFiveMinutes", a.GuardrailInterventions, 10, &c.GuardrailInterventions},
		{"alerts.promptAttacksPerFiveMinutes", a.PromptAttacks, 1, &c.PromptAttacks},
		{"alerts.sensitiveInformationPerFiveMinutes", a.SensitiveInformation, 5, &c.SensitiveInformation},
		{"alerts.invocationErrorsPerFiveMinutes", a.InvocationErrors, 5, &c.InvocationErrors},
		{"alerts.throttlesPerFiveMinutes", a.Throttles, 20, &c.Throttles},
		{"alerts.accessDeniedPerFiveMinutes", a.AccessDenied, 1, &c.AccessDenied},
	}
}

// validateAlerts checks the subscriptions and thresholds.
func (e Environment) validateAlerts(p *problems) {
	a := e.Alerts
	for i, email := range a.Emails {
		if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
			p.bad(fmt.Sprintf("alerts.emails[%d]", i), quote(email), "is not an email address: use name@example.com, without a display name")
		}
	}
	for i, endpoint := range a.HTTPSEndpoints {
		if u, err := url.Parse(endpoint); err != nil || u.Scheme != "https" || u.Host == "" {
			p.bad(fmt.Sprintf("alerts.httpsEndpoints[%d]", i), quote(endpoint), "is not an https:// URL: give the full URL of an HTTPS endpoint that confirms SNS subscriptions")
		}
	}
	for _, t := range a.Thresholds() {
		if t.Get() <= 0 {
			p.bad(t.Field, t.Get(), fmt.Sprintf("is not positive: give the count per five minutes at which the alarm fires, or leave it out for %g", t.Default))
		}
	}
}
