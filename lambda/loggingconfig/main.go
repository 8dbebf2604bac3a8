// Command loggingconfig is the Lambda function behind the custom resource that
// manages Bedrock model invocation logging. Bedrock keeps one such setting per
// account and region, so the handler puts and deletes only a configuration
// this stack made, and replaces another one only when told to take it over.
//
// CloudFormation invokes it directly and it answers through aws-lambda-go's cfn
// package (a PUT to the pre-signed S3 URL, through the S3 gateway endpoint):
// no provider framework in front, so no Lambda API call from the VPC and no
// lambda interface endpoint.
package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load aws config", "error", err)
		os.Exit(1)
	}
	if cfg.Region == "" {
		log.Error("AWS_REGION is not set")
		os.Exit(1)
	}
	lambda.Start(cfn.LambdaWrap(newHandler(cfg, log).respond))
}

// createFailed is the physical ID a failed create reports. CloudFormation
// names it in the Delete of the rollback, which then finds nothing of its own
// to delete: nothing was put under it.
const createFailed = "bedrock-invocation-logging-create-failed"

// respond adapts handle to the custom-resource protocol: a failed request keeps
// its resource's physical ID, and a failed create gets createFailed.
func (h *handler) respond(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
	res, err := h.handle(ctx, ev)
	if err != nil {
		return cmp.Or(ev.PhysicalResourceID, createFailed), nil, err
	}
	data := make(map[string]any, len(res.Data))
	for k, v := range res.Data {
		data[k] = v
	}
	return res.PhysicalResourceID, data, nil
}

// response is a request's outcome: the resource's physical ID and attributes.
type response struct {
	PhysicalResourceID string            `json:"PhysicalResourceId"`
	Data               map[string]string `json:"Data,omitempty"`
}

type handler struct {
	client *bedrock.Client
	// region is the client's, the one whose setting the handler manages.
	region string
	log    *slog.Logger
	retry  retryPolicy
	// headroom is kept free before the Lambda deadline so a slow call ends
	// with our error, answered to CloudFormation, instead of a timeout that
	// would leave the stack waiting an hour for an answer.
	headroom time.Duration
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
}

// newHandler builds the Bedrock client once; main calls it at init so every
// event the container handles reuses its connections.
func newHandler(cfg aws.Config, log *slog.Logger) *handler {
	return &handler{
		client:   bedrock.NewFromConfig(cfg),
		region:   cfg.Region,
		log:      log,
		retry:    defaultRetry,
		headroom: 5 * time.Second,
		now:      time.Now,
		sleep:    sleep,
	}
}

func (h *handler) handle(ctx context.Context, ev cfn.Event) (response, error) {
	log := h.log.With("requestType", ev.RequestType, "logicalResourceId", ev.LogicalResourceID, "requestId", ev.RequestID)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("awsRequestId", lc.AwsRequestID)
	}
	if d, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-h.headroom))
		defer cancel()
	}

	var res response
	var err error
	switch ev.RequestType {
	case cfn.RequestCreate, cfn.RequestUpdate:
		res, err = h.apply(ctx, log, ev)
	case cfn.RequestDelete:
		res, err = h.remove(ctx, log, ev)
	default:
		err = fmt.Errorf("unknown request type %q: want Create, Update or Delete", ev.RequestType)
	}
	if err != nil {
		log.ErrorContext(ctx, "request failed", "error", err)
	}
	return res, err
}

// physicalID is the same for every stack in the region, as the setting is:
// ownership is decided by the destinations, not by the ID.
func (h *handler) physicalID() string {
	return "bedrock-invocation-logging-" + h.region
}

func (h *handler) apply(ctx context.Context, log *slog.Logger, ev cfn.Event) (response, error) {
	p, err := parseProps(ev.ResourceProperties)
	if err != nil {
		return response{}, err
	}
	current, err := h.get(ctx)
	if err != nil {
		return response{}, err
	}
	owners := []owner{{p.LogGroupName, p.BucketName}}
	if ev.RequestType == cfn.RequestUpdate {
		// The configuration still names the old destinations until this Put.
		owners = append(owners, ownerOf(ev.OldResourceProperties))
	}
	found, replaced := "none", false
	if exists(current) {
		found = "ours"
		if !slices.ContainsFunc(owners, func(o owner) bool { return o.owns(current) }) {
			found = "foreign"
			if !p.TakeOver {
				return response{}, h.refuse(ev, current)
			}
			replaced = true
			log.WarnContext(ctx, "taking over a logging configuration this stack did not create; to restore it, pass replaced to "+
				"aws bedrock put-model-invocation-logging-configuration --logging-config", "replaced", recordOf(current))
		}
	}
	attempts, err := h.put(ctx, log, p)
	if err != nil {
		return response{}, err
	}
	log.InfoContext(ctx, "put logging configuration", "found", found, "attempts", attempts,
		"logGroupName", p.LogGroupName, "bucketName", p.BucketName, "replacedForeignConfiguration", replaced)
	return response{
		PhysicalResourceID: h.physicalID(),
		Data:               map[string]string{"ReplacedForeignConfiguration": strconv.FormatBool(replaced)},
	}, nil
}

// refuse explains a configuration that is not this stack's and how to resolve it.
func (h *handler) refuse(ev cfn.Event, c *types.LoggingConfig) error {
	where := "region " + h.region
	// StackId is arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>.
	if f := strings.Split(ev.StackID, ":"); len(f) > 4 && f[0] == "arn" && f[4] != "" {
		where = "account " + f[4] + " " + where
	}
	since := ""
	if ev.RequestType == cfn.RequestUpdate {
		since = ", written since this stack's last deployment"
	}
	return fmt.Errorf("%s already has a Bedrock model invocation logging configuration that this stack did not create (%s)%s; "+
		"Bedrock keeps one per account and region: remove it (aws bedrock delete-model-invocation-logging-configuration --region %s), "+
		"or set invocationLogging.takeOverExistingConfiguration to true in environments.json to replace it deliberately",
		where, destinations(c), since, h.region)
}

// remove deletes the configuration only when it is this stack's. It never
// fails for one that is not: the stack's deletion must not depend on it.
func (h *handler) remove(ctx context.Context, log *slog.Logger, ev cfn.Event) (response, error) {
	res := response{PhysicalResourceID: ev.PhysicalResourceID}
	if ev.PhysicalResourceID != h.physicalID() {
		// Such as createFailed, after a failed create: nothing was put under
		// that ID.
		log.InfoContext(ctx, "nothing to delete: the physical id is not this handler's", "physicalResourceId", ev.PhysicalResourceID)
		return res, nil
	}
	current, err := h.get(ctx)
	if err != nil {
		return response{}, err
	}
	switch {
	case !exists(current):
		log.InfoContext(ctx, "nothing to delete: the account has no logging configuration")
	case !ownerOf(ev.ResourceProperties).owns(current):
		log.WarnContext(ctx, "left the logging configuration in place: this stack did not create it", "found", destinations(current))
	default:
		if _, err := h.client.DeleteModelInvocationLoggingConfiguration(ctx, &bedrock.DeleteModelInvocationLoggingConfigurationInput{}); err != nil {
			return response{}, failed("delete the model invocation logging configuration", err)
		}
		log.InfoContext(ctx, "deleted logging configuration", "found", destinations(current))
	}
	return res, nil
}

func (h *handler) get(ctx context.Context) (*types.LoggingConfig, error) {
	out, err := h.client.GetModelInvocationLoggingConfiguration(ctx, &bedrock.GetModelInvocationLoggingConfigurationInput{})
	if err != nil {
		return nil, failed("read the model invocation logging configuration", err)
	}
	return out.LoggingConfig, nil
}
