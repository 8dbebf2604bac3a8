package config

import "fmt"

// problems collects one environment's mistakes, or the organisation section's, each naming the
// environment (or section), the field, the bad value and the fix. Every part of the configuration
// reports into it, so all mistakes surface together.
type problems struct {
	env string
	// section names a top-level section instead of an environment, e.g. organization.
	section string
	errs    []error
}

// bad records that field holds value, which fix says how to correct.
func (p *problems) bad(field string, value any, fix string) {
	where := fmt.Sprintf("environment %q", p.env)
	if p.section != "" {
		where = p.section
	}
	p.errs = append(p.errs, fmt.Errorf("%s: %s: %v %s", where, field, value, fix))
}

// place checks the account and region a stack deploys to; whose says which account it must be, after
// "use the 12-digit".
func (p *problems) place(account, region, whose string) {
	if !accountPattern.MatchString(account) {
		p.bad("account", quote(account), "is not an AWS account ID: use the 12-digit "+whose)
	}
	if !regionPattern.MatchString(region) {
		p.bad("region", quote(region), "is not an AWS region: use a region code such as us-east-1")
	}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
