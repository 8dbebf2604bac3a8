// Package awsrules holds the rules AWS services impose on values that both the configuration (before any
// construct is built) and the constructs (guarding their own props) check, so each rule has one home.
// It imports no CDK.
package awsrules

import (
	"regexp"
	"slices"
)

var s3KeyPrefix = regexp.MustCompile(`^[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*$`)

// S3KeyPrefix says whether p is a plain S3 key prefix: segments of S3's safe characters separated by /,
// without a leading or trailing /.
func S3KeyPrefix(p string) bool { return s3KeyPrefix.MatchString(p) }

// retention is a period CloudWatch Logs accepts and the name aws-cdk-lib's awslogs.RetentionDays gives it.
type retention struct {
	days int
	name string
}

var logRetention = []retention{
	{1, "ONE_DAY"}, {3, "THREE_DAYS"}, {5, "FIVE_DAYS"}, {7, "ONE_WEEK"}, {14, "TWO_WEEKS"},
	{30, "ONE_MONTH"}, {60, "TWO_MONTHS"}, {90, "THREE_MONTHS"}, {120, "FOUR_MONTHS"}, {150, "FIVE_MONTHS"},
	{180, "SIX_MONTHS"}, {365, "ONE_YEAR"}, {400, "THIRTEEN_MONTHS"}, {545, "EIGHTEEN_MONTHS"},
	{731, "TWO_YEARS"}, {1096, "THREE_YEARS"}, {1827, "FIVE_YEARS"}, {2192, "SIX_YEARS"},
	{2557, "SEVEN_YEARS"}, {2922, "EIGHT_YEARS"}, {3288, "NINE_YEARS"}, {3653, "TEN_YEARS"},
}

// LogRetentionDays are the retention periods CloudWatch Logs accepts, ascending.
func LogRetentionDays() []int {
	days := make([]int, len(logRetention))
	for i, r := range logRetention {
		days[i] = r.days
	}
	return days
}

// LogRetentionName is the awslogs.RetentionDays member for days, and false when CloudWatch Logs does
// not accept days.
func LogRetentionName(days int) (string, bool) {
	i := slices.IndexFunc(logRetention, func(r retention) bool { return r.days == days })
	if i < 0 {
		return "", false
	}
	return logRetention[i].name, true
}

// ExpiresWhileLocked says whether a lifecycle expiry after expireDays (0: never) comes before an Object
// Lock retention of lockDays ends: S3 cannot delete a locked version, so such a rule only pretends.
func ExpiresWhileLocked(expireDays, lockDays int) bool {
	return expireDays != 0 && expireDays < lockDays
}
