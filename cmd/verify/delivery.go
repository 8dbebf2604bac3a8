package main

import (
	"context"
	"fmt"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

// checkDelivery waits for the test call's invocation log record in the log group, and for a log object
// in the delivery bucket and its copy in the vault; each wait is bounded by w.
func checkDelivery(ctx context.Context, logs *cloudwatchlogs.Client, objects *s3.Client, env config.Environment, d *deployment, call *testCall, w waiter) []checklist.Row {
	if call == nil {
		return []checklist.Row{checklist.Fail("Invocation log", "no test call went through, so there is no record to look for",
			"fix what the Test call rows say, then run verify again")}
	}
	return concurrently(
		func() []checklist.Row { return []checklist.Row{checkLogRecord(ctx, logs, d, call, w)} },
		func() []checklist.Row { return checkLogObjects(ctx, objects, env, d, call, w) },
	)
}

// checkLogRecord looks for the record by the Bedrock request ID, which the record carries.
func checkLogRecord(ctx context.Context, api *cloudwatchlogs.Client, d *deployment, call *testCall, w waiter) checklist.Row {
	const name = "Log group record"
	group, missing := d.output(name, outputLogGroup)
	if missing != nil {
		return *missing
	}
	input := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String(group),
		FilterPattern: aws.String(fmt.Sprintf("{ $.requestId = %q }", call.requestID)),
		// A minute early, for the difference between Lambda's clock and Bedrock's.
		StartTime: aws.Int64(call.since.Add(-time.Minute).UnixMilli()),
	}
	found, err := w.poll(ctx, func(time.Duration) (bool, error) {
		for p := cloudwatchlogs.NewFilterLogEventsPaginator(api, input); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil || len(page.Events) > 0 {
				return err == nil, err
			}
		}
		return false, nil
	})
	switch {
	case err != nil:
		return command.Unchecked(name, group, err)
	case !found:
		return checklist.Fail(name, fmt.Sprintf("%s: no record of request %s (%s) within %s", group, call.requestID, call.modelID, w.timeout),
			"Bedrock delivers within minutes: run verify again with a longer -wait; if the record stays missing, check the "+
				"Invocation logging row and the delivery role's permission to write to the log group")
	}
	return checklist.Pass(name, fmt.Sprintf("%s: the record of request %s (%s)", group, call.requestID, call.modelID))
}

// checkLogObjects looks for an object Bedrock wrote after the call in the delivery bucket, then for its
// replica in the vault. An object cannot be matched to the call without reading it, which the
// invocation logs' key keeps from most readers; an object written after the call shows delivery works.
func checkLogObjects(ctx context.Context, api *s3.Client, env config.Environment, d *deployment, call *testCall, w waiter) []checklist.Row {
	const name, vaultName = "Delivered object", "Vault copy"
	bucket, missing := d.output(name, outputLogBucket)
	if missing != nil {
		return []checklist.Row{*missing}
	}
	vault, missing := d.output(vaultName, outputVault)
	if missing != nil {
		return []checklist.Row{*missing}
	}
	l := env.InvocationLogging
	// Bedrock writes <prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/<yyyy>/<mm>/<dd>/<hh>/<file>,
	// hours in UTC: listing only the hours since the call keeps the listing short in a busy account.
	base := fmt.Sprintf("%s/AWSLogs/%s/BedrockModelInvocationLogs/%s/", l.S3KeyPrefix, env.Account, env.Region)
	since := call.since.Truncate(time.Second)
	var key string
	found, err := w.poll(ctx, func(waited time.Duration) (bool, error) {
		for hour := since.UTC().Truncate(time.Hour); !hour.After(since.Add(waited)); hour = hour.Add(time.Hour) {
			for p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(base + hour.Format("2006/01/02/15/"))}); p.HasMorePages(); {
				page, err := p.NextPage(ctx)
				if err != nil {
					return false, err
				}
				for _, o := range page.Contents {
					if !aws.ToTime(o.LastModified).Before(since) {
						key = aws.ToString(o.Key)
						return true, nil
					}
				}
			}
		}
		return false, nil
	})
	locked := ""
	if l.ObjectLockOnDeliveryBucket {
		locked = "; the bucket has a default Object Lock retention, so this proves Bedrock delivers into a locked bucket"
	}
	var delivered checklist.Row
	switch {
	case err != nil:
		delivered = command.Unchecked(name, "bucket "+bucket, err)
	case !found:
		fix := "Bedrock delivers within minutes: run verify again with a longer -wait; if none arrives, check the Invocation " +
			"logging row and the bucket policy's BedrockWritesUnderPrefix statement"
		if l.ObjectLockOnDeliveryBucket {
			fix += "; S3 may refuse Bedrock's writes into a bucket with a default retention: set " +
				"invocationLogging.objectLockOnDeliveryBucket to false and deploy"
		}
		delivered = checklist.Fail(name, fmt.Sprintf("in bucket %s, no object under %s written since the call, within %s", bucket, base, w.timeout), fix)
	default:
		delivered = checklist.Pass(name, fmt.Sprintf("in bucket %s under %s/: %s, written after the call%s", bucket, l.S3KeyPrefix, path.Base(key), locked))
	}
	if key == "" {
		return []checklist.Row{delivered, checklist.Fail(vaultName, "no delivered object to look for", "see the Delivered object row")}
	}
	return []checklist.Row{delivered, checkVaultCopy(ctx, api, vault, key, w)}
}

// checkVaultCopy waits for the replica of a delivered object, under the same key.
func checkVaultCopy(ctx context.Context, api *s3.Client, vault, key string, w waiter) checklist.Row {
	const name = "Vault copy"
	found, err := w.poll(ctx, func(time.Duration) (bool, error) {
		out, err := api.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(vault), Prefix: aws.String(key)})
		return err == nil && len(out.Contents) > 0, err
	})
	switch {
	case err != nil:
		return command.Unchecked(name, "vault "+vault, err)
	case !found:
		return checklist.Fail(name, fmt.Sprintf("in vault %s, no copy of %s within %s", vault, path.Base(key), w.timeout),
			"S3 replicates most objects within minutes: run verify again with a longer -wait; if none arrives, check the "+
				"delivery bucket's replication rule LockedCopyInVault and the replication role")
	}
	return checklist.Pass(name, fmt.Sprintf("in vault %s: %s, the Object Lock copy of the delivered object", vault, path.Base(key)))
}
