package config

import "fmt"

// problems collects one environment's mistakes, each naming the environment, the field, the bad value
// and the fix. Every section of the configuration reports into it, so all mistakes surface together.
type problems struct {
	env  string
	errs []error
}

// bad records that field holds value, which fix says how to correct.
func (p *problems) bad(field string, value any, fix string) {
	p.errs = append(p.errs, fmt.Errorf("environment %q: %s: %v %s", p.env, field, value, fix))
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
