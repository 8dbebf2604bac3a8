package config

import (
	"fmt"

	"github.com/privatebedrock/stack/internal/awsrules"
)

// InvocationLogging configures Bedrock model invocation logging, one setting per account and region.
type InvocationLogging struct {
	Enabled bool `json:"enabled"`
	// S3KeyPrefix is where Bedrock writes objects in the log bucket.
	S3KeyPrefix       string `json:"s3KeyPrefix"`
	TextDelivery      bool   `json:"textDelivery"`
	ImageDelivery     bool   `json:"imageDelivery"`
	EmbeddingDelivery bool   `json:"embeddingDelivery"`
	// ObjectLockDays is the governance-mode default retention of the locked copies in the vault bucket.
	ObjectLockDays int `json:"objectLockDays"`
	// ObjectLockOnDeliveryBucket puts the same default retention on the bucket Bedrock writes to, for
	// accounts that have verified Bedrock's delivery into a bucket with a default retention.
	ObjectLockOnDeliveryBucket bool `json:"objectLockOnDeliveryBucket"`
	// TakeOverExistingConfiguration replaces a logging configuration this stack did not create.
	TakeOverExistingConfiguration bool `json:"takeOverExistingConfiguration"`
	// ArchiveAfterDays moves log objects to Glacier Instant Retrieval; 0 keeps them in Standard.
	ArchiveAfterDays int `json:"archiveAfterDays"`
	// ExpireAfterDays deletes log objects; 0 keeps them forever.
	ExpireAfterDays int `json:"expireAfterDays"`
}

// validateLogging checks the invocationLogging section, when logging is on.
func (e Environment) validateLogging(p *problems) {
	l := e.InvocationLogging
	if !l.Enabled {
		return
	}
	if !awsrules.S3KeyPrefix(l.S3KeyPrefix) {
		p.bad("invocationLogging.s3KeyPrefix", quote(l.S3KeyPrefix), "is not a plain S3 key prefix: use segments of letters, digits and !_.*'()- separated by /, without leading or trailing /")
	}
	if !l.TextDelivery && !l.ImageDelivery && !l.EmbeddingDelivery {
		p.bad("invocationLogging", "all delivery flags false", "logs nothing: set textDelivery, imageDelivery or embeddingDelivery, or set enabled to false")
	}
	if l.ObjectLockDays < 1 || l.ObjectLockDays > 36500 {
		p.bad("invocationLogging.objectLockDays", l.ObjectLockDays, "is outside 1 to 36500: give the days each log object stays locked (governance mode)")
	}
	if l.ArchiveAfterDays < 0 {
		p.bad("invocationLogging.archiveAfterDays", l.ArchiveAfterDays, "is negative: use 0 to keep objects in S3 Standard, or the days after which they move to Glacier Instant Retrieval")
	}
	if awsrules.ExpiresWhileLocked(l.ExpireAfterDays, l.ObjectLockDays) {
		p.bad("invocationLogging.expireAfterDays", l.ExpireAfterDays, fmt.Sprintf("expires objects that are still locked for %d days: use 0 (never) or at least objectLockDays", l.ObjectLockDays))
	}
	if l.ExpireAfterDays != 0 && l.ArchiveAfterDays != 0 && l.ExpireAfterDays <= l.ArchiveAfterDays {
		p.bad("invocationLogging.expireAfterDays", l.ExpireAfterDays, "is not after archiveAfterDays: expire later than you archive, or set archiveAfterDays to 0")
	}
}

// loggingConflicts finds environments that both configure invocation logging in one account and
// region, where Bedrock keeps a single configuration.
func (f *File) loggingConflicts() []error {
	var errs []error
	for i, a := range f.Environments {
		for _, b := range f.Environments[i+1:] {
			if a.InvocationLogging.Enabled && b.InvocationLogging.Enabled && a.Account == b.Account && a.Region == b.Region {
				errs = append(errs, fmt.Errorf("environment %q: invocationLogging.enabled: true, but environment %q already configures invocation logging in account %s region %s, and Bedrock keeps one configuration per account and region: set enabled to false in one of them", b.Name, a.Name, a.Account, a.Region))
			}
		}
	}
	return errs
}
