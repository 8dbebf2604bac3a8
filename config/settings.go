package config

import (
	"fmt"
	"strings"

	"github.com/privatebedrock/stack/internal/awsrules"
)

// Removal policies.
const (
	Retain  = "retain"
	Destroy = "destroy"
)

// validateSettings checks the stack-wide settings: log retention, what happens to data on removal, and
// the test function's reservation.
func (e Environment) validateSettings(p *problems) {
	if _, ok := awsrules.LogRetentionName(e.LogRetentionDays); !ok {
		days := make([]string, 0, 22)
		for _, d := range awsrules.LogRetentionDays() {
			days = append(days, fmt.Sprint(d))
		}
		p.bad("logRetentionDays", e.LogRetentionDays, "is not a retention CloudWatch Logs accepts: use one of "+strings.Join(days, ", ")+" (365 or more passes Control Tower's CT.CLOUDWATCH.PR.2)")
	}
	if e.InvokerReservedConcurrency < 0 {
		p.bad("invokerReservedConcurrency", e.InvokerReservedConcurrency, "is negative: use 0 to reserve none (needed while the account's concurrency quota is below 110), or a small cap such as 2")
	}
	if e.RemovalPolicy != Retain && e.RemovalPolicy != Destroy {
		p.bad("removalPolicy", quote(e.RemovalPolicy), `is neither "retain" nor "destroy": use "retain" for anything holding data you must keep`)
	}
}
