package awsrules

import (
	"slices"
	"testing"
)

func TestS3KeyPrefix(t *testing.T) {
	for prefix, want := range map[string]bool{
		"bedrock-invocation-logs": true, "a/b/c": true, "logs_(2026).x": true,
		"": false, "/leading": false, "trailing/": false, "a//b": false, "sp ace": false, "ünïcode": false,
	} {
		if got := S3KeyPrefix(prefix); got != want {
			t.Errorf("S3KeyPrefix(%q) = %v, want %v", prefix, got, want)
		}
	}
}

func TestLogRetention(t *testing.T) {
	days := LogRetentionDays()
	if !slices.IsSorted(days) || len(days) != 22 || days[0] != 1 || days[len(days)-1] != 3653 {
		t.Errorf("LogRetentionDays = %v", days)
	}
	for _, c := range []struct {
		days int
		name string
		ok   bool
	}{{365, "ONE_YEAR", true}, {400, "THIRTEEN_MONTHS", true}, {731, "TWO_YEARS", true}, {366, "", false}, {0, "", false}} {
		if name, ok := LogRetentionName(c.days); name != c.name || ok != c.ok {
			t.Errorf("LogRetentionName(%d) = %q, %v; want %q, %v", c.days, name, ok, c.name, c.ok)
		}
	}
}

func TestExpiresWhileLocked(t *testing.T) {
	for _, c := range []struct {
		expire, lock int
		want         bool
	}{{0, 30, false}, {30, 30, false}, {31, 30, false}, {29, 30, true}, {1, 90, true}} {
		if got := ExpiresWhileLocked(c.expire, c.lock); got != c.want {
			t.Errorf("ExpiresWhileLocked(%d, %d) = %v, want %v", c.expire, c.lock, got, c.want)
		}
	}
}
