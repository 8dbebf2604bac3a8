package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/privatebedrock/stack/internal/fakeaws"
)

const (
	keyID      = "AKIAIOSFODNN7EXAMPLE"
	secretKey  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	token      = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"
	stackID    = "arn:aws:cloudformation:us-east-1:111111111111:stack/private-bedrock/5b6f0a30-0000-11ef-8000-0a1b2c3d4e5f"
	physicalID = "bedrock-invocation-logging-us-east-1"
	role       = "arn:aws:iam::111111111111:role/private-bedrock-DeliveryRole-1A2B3C"
	logGroup   = "/private-bedrock/bedrock-model-invocations"
	bucket     = "private-bedrock-logs-1a2b3c"
	prefix     = "bedrock-invocation-logs"
	apiPath    = "/logging/modelinvocations"
)

// Answers of GetModelInvocationLoggingConfiguration.
const (
	none = `{}`
	ours = `{"loggingConfig":{"cloudWatchConfig":{"logGroupName":"` + logGroup + `","roleArn":"` + role + `"},` +
		`"s3Config":{"bucketName":"` + bucket + `","keyPrefix":"` + prefix + `"},"textDataDeliveryEnabled":true}}`
	oursByBucket = `{"loggingConfig":{"s3Config":{"bucketName":"` + bucket + `"},"textDataDeliveryEnabled":true}}`
	oldOurs      = `{"loggingConfig":{"cloudWatchConfig":{"logGroupName":"/old-stack/bedrock","roleArn":"` + role + `"},` +
		`"s3Config":{"bucketName":"old-stack-logs","keyPrefix":"logs"},"textDataDeliveryEnabled":true}}`
	foreignConfig = `{"cloudWatchConfig":{"logGroupName":"/central/bedrock","roleArn":"arn:aws:iam::111111111111:role/central-bedrock",` +
		`"largeDataDeliveryS3Config":{"bucketName":"central-logs","keyPrefix":"large"}},` +
		`"s3Config":{"bucketName":"central-logs","keyPrefix":"bedrock"},"textDataDeliveryEnabled":true,` +
		`"imageDataDeliveryEnabled":false,"embeddingDataDeliveryEnabled":false,"videoDataDeliveryEnabled":true}`
	foreign   = `{"loggingConfig":` + foreignConfig + `}`
	foreignS3 = `{"loggingConfig":{"s3Config":{"bucketName":"central-logs"},"textDataDeliveryEnabled":true}}`
)

// wantPut is the body of the Put the default properties make.
const wantPut = `{"loggingConfig":{
	"cloudWatchConfig":{"logGroupName":"` + logGroup + `","roleArn":"` + role + `",
		"largeDataDeliveryS3Config":{"bucketName":"` + bucket + `","keyPrefix":"` + prefix + `/large-data"}},
	"s3Config":{"bucketName":"` + bucket + `","keyPrefix":"` + prefix + `"},
	"textDataDeliveryEnabled":true,"imageDataDeliveryEnabled":false,"embeddingDataDeliveryEnabled":true}}`

type reply = fakeaws.RESTJSONReply

var ok = reply{Status: http.StatusOK, Body: `{}`}

func answer(body string) reply { return reply{Status: http.StatusOK, Body: body} }

func fail(status int, errType, msg string) reply {
	b, _ := json.Marshal(map[string]string{"message": msg})
	return reply{Status: status, ErrType: errType, Body: string(b)}
}

// Bedrock's answer while the delivery role is not usable yet.
var notYet = fail(400, "ValidationException", "Failed to validate permissions for log group: "+logGroup+
	", with role: "+role+". Verify the IAM role permissions are correct.")

// fake stands in for the Bedrock control plane, speaking the REST-JSON
// protocol of the three logging configuration operations.
type fake struct {
	mu    sync.Mutex
	get   reply
	puts  []reply // served in order, the last one repeating
	del   reply
	calls []call
}

type call struct {
	method, path string
	body         []byte
	header       http.Header
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{r.Method, r.URL.Path, body, r.Header.Clone()})
	n := len(f.calls)
	rep := reply{Status: http.StatusNotFound, ErrType: "UnknownOperationException", Body: `{"message":"no such operation"}`}
	if r.URL.Path == apiPath {
		switch r.Method {
		case http.MethodGet:
			rep = f.get
		case http.MethodPut:
			puts := 0
			for _, c := range f.calls {
				if c.method == http.MethodPut {
					puts++
				}
			}
			rep = f.puts[min(puts, len(f.puts))-1]
		case http.MethodDelete:
			rep = f.del
		}
	}
	f.mu.Unlock()
	rep.Write(w, r, fmt.Sprintf("req-%d", n))
}

func (f *fake) requests() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fake) methods() []string {
	var m []string
	for _, c := range f.requests() {
		m = append(m, c.method)
	}
	return m
}

// clock lets the Put retries wait without sleeping: each wait moves now on.
type clock struct {
	t     time.Time
	waits []time.Duration
}

func (c *clock) now() time.Time { return c.t }

func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	c.waits = append(c.waits, d)
	c.t = c.t.Add(d)
	return ctx.Err()
}

var discard = slog.New(slog.NewJSONHandler(io.Discard, nil))

// setup returns a handler whose real SDK client talks to f, with a fake clock.
func setup(t testing.TB, f *fake) (*handler, *clock) {
	if f.get == (reply{}) {
		f.get = answer(none)
	}
	if f.puts == nil {
		f.puts = []reply{ok}
	}
	if f.del == (reply{}) {
		f.del = ok
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	h := newHandler(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secretKey, token),
		BaseEndpoint: aws.String(srv.URL),
		HTTPClient:   srv.Client(),
	}, discard)
	c := &clock{t: time.Now()}
	h.now, h.sleep = c.now, c.sleep
	return h, c
}

// properties are the construct's, as CloudFormation passes them: strings,
// plus the ServiceToken, this function's ARN. A nil value removes the key.
func properties(kv ...any) map[string]any {
	m := map[string]any{
		"ServiceToken":      "arn:aws:lambda:us-east-1:111111111111:function:private-bedrock-InvocationLoggingConfigurationHandler",
		"LogGroupName":      logGroup,
		"DeliveryRoleArn":   role,
		"BucketName":        bucket,
		"KeyPrefix":         prefix,
		"TextDelivery":      "true",
		"ImageDelivery":     "false",
		"EmbeddingDelivery": "true",
		"TakeOver":          "false",
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	return m
}

var oldProperties = properties("LogGroupName", "/old-stack/bedrock", "BucketName", "old-stack-logs", "KeyPrefix", "logs")

func event(rt cfn.RequestType, props map[string]any) cfn.Event {
	ev := cfn.Event{
		RequestType:        rt,
		RequestID:          "cfn-request-1",
		ResourceType:       "Custom::BedrockInvocationLogging",
		LogicalResourceID:  "InvocationLogging",
		StackID:            stackID,
		ResourceProperties: props,
	}
	if rt != cfn.RequestCreate {
		ev.PhysicalResourceID = physicalID
	}
	if rt == cfn.RequestUpdate {
		ev.OldResourceProperties = properties()
	}
	return ev
}

func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s\nwant   %s", got, want)
	}
}

func TestPuts(t *testing.T) {
	tests := []struct {
		name     string
		ev       cfn.Event
		current  string
		replaced string
	}{
		{"create with none", event(cfn.RequestCreate, properties()), none, "false"},
		{"create with an empty answer", event(cfn.RequestCreate, properties()), `{"loggingConfig":{}}`, "false"},
		{"create with ours", event(cfn.RequestCreate, properties()), ours, "false"},
		{"create with ours by bucket", event(cfn.RequestCreate, properties()), oursByBucket, "false"},
		{"create taking over", event(cfn.RequestCreate, properties("TakeOver", "true")), foreign, "true"},
		{"update with none", event(cfn.RequestUpdate, properties()), none, "false"},
		{"update with ours", event(cfn.RequestUpdate, properties()), ours, "false"},
		{"update with ours by old properties", func() cfn.Event {
			ev := event(cfn.RequestUpdate, properties())
			ev.OldResourceProperties = oldProperties
			return ev
		}(), oldOurs, "false"},
		{"update taking over", event(cfn.RequestUpdate, properties("TakeOver", "true")), foreign, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{get: answer(tt.current)}
			h, _ := setup(t, f)
			res, err := h.handle(context.Background(), tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(res)
			sameJSON(t, out, `{"PhysicalResourceId":"`+physicalID+`","Data":{"ReplacedForeignConfiguration":"`+tt.replaced+`"}}`)

			calls := f.requests()
			if m := f.methods(); !slices.Equal(m, []string{"GET", "PUT"}) {
				t.Fatalf("requests = %v, want [GET PUT]", m)
			}
			for _, c := range calls {
				if c.path != apiPath {
					t.Errorf("%s %s, want path %s", c.method, c.path, apiPath)
				}
				auth := c.header.Get("Authorization")
				if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+keyID+"/") || !strings.Contains(auth, "/us-east-1/bedrock/aws4_request") {
					t.Errorf("%s not SigV4-signed for bedrock: %q", c.method, auth)
				}
			}
			sameJSON(t, calls[1].body, wantPut)
		})
	}
}

func TestRefusesForeign(t *testing.T) {
	const fix = `; Bedrock keeps one per account and region: remove it (aws bedrock delete-model-invocation-logging-configuration --region us-east-1), ` +
		`or set invocationLogging.takeOverExistingConfiguration to true in environments.json to replace it deliberately`
	noAccount := event(cfn.RequestCreate, properties())
	noAccount.StackID = "not-an-arn"
	tests := []struct {
		name    string
		ev      cfn.Event
		current string
		err     string
	}{
		{
			"create", event(cfn.RequestCreate, properties()), foreign,
			`account 111111111111 region us-east-1 already has a Bedrock model invocation logging configuration that this stack did not create ` +
				`(CloudWatch log group "/central/bedrock", S3 bucket "central-logs")` + fix,
		},
		{
			"create with an S3 destination only", event(cfn.RequestCreate, properties()), foreignS3,
			`account 111111111111 region us-east-1 already has a Bedrock model invocation logging configuration that this stack did not create ` +
				`(S3 bucket "central-logs")` + fix,
		},
		{
			"update", event(cfn.RequestUpdate, properties()), foreign,
			`account 111111111111 region us-east-1 already has a Bedrock model invocation logging configuration that this stack did not create ` +
				`(CloudWatch log group "/central/bedrock", S3 bucket "central-logs"), written since this stack's last deployment` + fix,
		},
		{
			"stack id without account", noAccount, foreign,
			`region us-east-1 already has a Bedrock model invocation logging configuration that this stack did not create ` +
				`(CloudWatch log group "/central/bedrock", S3 bucket "central-logs")` + fix,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{get: answer(tt.current)}
			h, _ := setup(t, f)
			_, err := h.handle(context.Background(), tt.ev)
			if err == nil || err.Error() != tt.err {
				t.Fatalf("error = %v\nwant    %s", err, tt.err)
			}
			if m := f.methods(); !slices.Equal(m, []string{"GET"}) {
				t.Errorf("requests = %v, want [GET] and no PUT", m)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	withID := func(id string, props map[string]any) cfn.Event {
		ev := event(cfn.RequestDelete, props)
		ev.PhysicalResourceID = id
		return ev
	}
	tests := []struct {
		name    string
		ev      cfn.Event
		current string
		want    []string
	}{
		{"ours", withID(physicalID, properties()), ours, []string{"GET", "DELETE"}},
		{"ours by bucket", withID(physicalID, properties()), oursByBucket, []string{"GET", "DELETE"}},
		{"foreign", withID(physicalID, properties()), foreign, []string{"GET"}},
		{"none", withID(physicalID, properties()), none, []string{"GET"}},
		{"empty answer", withID(physicalID, properties()), `{"loggingConfig":{}}`, []string{"GET"}},
		{"foreign with unusable properties", withID(physicalID, map[string]any{"LogGroupName": 7}), foreign, []string{"GET"}},
		{"ours with other properties broken", withID(physicalID, properties("TextDelivery", "maybe")), ours, []string{"GET", "DELETE"}},
		{"after a failed create", withID(createFailed, properties()), ours, nil},
		{"another region's id", withID("bedrock-invocation-logging-eu-west-1", properties()), ours, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{get: answer(tt.current)}
			h, _ := setup(t, f)
			res, err := h.handle(context.Background(), tt.ev)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res, response{PhysicalResourceID: tt.ev.PhysicalResourceID}) {
				t.Errorf("response = %+v, want the event's physical id and no data", res)
			}
			if m := f.methods(); !slices.Equal(m, tt.want) {
				t.Errorf("requests = %v, want %v", m, tt.want)
			}
		})
	}
}

func TestServiceErrors(t *testing.T) {
	denied := fail(403, "AccessDeniedException", "User: arn:aws:sts::111111111111:assumed-role/fn/x is not authorized to perform: bedrock:GetModelInvocationLoggingConfiguration")
	const hint = "; check that this function's role allows the bedrock:*ModelInvocationLoggingConfiguration actions " +
		"and that the bedrock VPC endpoint policy lets the role call them"
	tests := []struct {
		name string
		f    *fake
		ev   cfn.Event
		err  string
		want []string
	}{
		{
			"get denied", &fake{get: denied}, event(cfn.RequestCreate, properties()),
			"could not read the model invocation logging configuration: AccessDeniedException: User: arn:aws:sts::111111111111:assumed-role/fn/x " +
				"is not authorized to perform: bedrock:GetModelInvocationLoggingConfiguration (request id req-1)" + hint,
			[]string{"GET"},
		},
		{
			"get denied on delete", &fake{get: denied}, event(cfn.RequestDelete, properties()),
			"could not read the model invocation logging configuration: AccessDeniedException: User: arn:aws:sts::111111111111:assumed-role/fn/x " +
				"is not authorized to perform: bedrock:GetModelInvocationLoggingConfiguration (request id req-1)" + hint,
			[]string{"GET"},
		},
		{
			"delete rejected", &fake{get: answer(ours), del: fail(400, "ValidationException", "bad request")}, event(cfn.RequestDelete, properties()),
			"could not delete the model invocation logging configuration: ValidationException: bad request (request id req-2)",
			[]string{"GET", "DELETE"},
		},
		{
			"unknown request type", &fake{}, event("Import", properties()),
			`unknown request type "Import": want Create, Update or Delete`,
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := setup(t, tt.f)
			_, err := h.handle(context.Background(), tt.ev)
			if err == nil || err.Error() != tt.err {
				t.Fatalf("error = %v\nwant    %s", err, tt.err)
			}
			if m := tt.f.methods(); !slices.Equal(m, tt.want) {
				t.Errorf("requests = %v, want %v", m, tt.want)
			}
		})
	}
}

func TestPutRetries(t *testing.T) {
	const roleHint = "; check that the delivery role " + role + " trusts bedrock.amazonaws.com and may write to log group \"" + logGroup + "\", " +
		"and that the policies of bucket \"" + bucket + "\" and of its KMS key let bedrock.amazonaws.com write under \"" + prefix + "/\""
	denied := fail(403, "AccessDeniedException", "User: arn:aws:sts::111111111111:assumed-role/fn/x is not authorized to perform: iam:PassRole")
	s := time.Second
	tests := []struct {
		name    string
		replies []reply
		puts    int
		waits   []time.Duration
		err     string // empty for success
	}{
		{"role not usable yet, twice", []reply{notYet, notYet, ok}, 3, []time.Duration{2 * s, 4 * s}, ""},
		{"bucket not usable yet", []reply{fail(400, "ValidationException", "Bedrock cannot assume the role to access the S3 bucket"), ok}, 2, []time.Duration{2 * s}, ""},
		{"pass role not propagated", []reply{denied, ok}, 2, []time.Duration{2 * s}, ""},
		{"throttled", []reply{fail(429, "ThrottlingException", "slow down"), ok}, 2, []time.Duration{2 * s}, ""},
		{"internal error", []reply{fail(500, "InternalServerException", "oops"), ok}, 2, []time.Duration{2 * s}, ""},
		{"unavailable", []reply{fail(503, "ServiceUnavailableException", "later"), ok}, 2, []time.Duration{2 * s}, ""},
		{"connection dropped", []reply{{Drop: true}, ok}, 2, []time.Duration{2 * s}, ""},
		{
			"role never usable", []reply{notYet}, 8, []time.Duration{2 * s, 4 * s, 8 * s, 16 * s, 30 * s, 30 * s, 30 * s},
			"bedrock did not accept the model invocation logging configuration after 8 attempts over 2m0s; last error: ValidationException: " +
				"Failed to validate permissions for log group: " + logGroup + ", with role: " + role + ". Verify the IAM role permissions are correct. " +
				"(request id req-9)" + roleHint,
		},
		{
			"always denied", []reply{denied}, 8, []time.Duration{2 * s, 4 * s, 8 * s, 16 * s, 30 * s, 30 * s, 30 * s},
			"bedrock did not accept the model invocation logging configuration after 8 attempts over 2m0s; last error: AccessDeniedException: " +
				"User: arn:aws:sts::111111111111:assumed-role/fn/x is not authorized to perform: iam:PassRole (request id req-9); " +
				"check that this function's role allows bedrock:PutModelInvocationLoggingConfiguration and iam:PassRole on " + role +
				" to bedrock.amazonaws.com, and that the bedrock VPC endpoint policy lets the role call it",
		},
		{
			"always throttled", []reply{fail(429, "ThrottlingException", "Too many requests, please wait before trying again.")}, 8,
			[]time.Duration{2 * s, 4 * s, 8 * s, 16 * s, 30 * s, 30 * s, 30 * s},
			"bedrock did not accept the model invocation logging configuration after 8 attempts over 2m0s; last error: ThrottlingException: " +
				"Too many requests, please wait before trying again. (request id req-9); bedrock is busy or failing: deploy again later",
		},
		{
			"invalid value", []reply{fail(400, "ValidationException", "1 validation error detected: Value at 'loggingConfig.s3Config.bucketName' failed to satisfy constraint")}, 1, nil,
			"bedrock rejected the model invocation logging configuration: ValidationException: 1 validation error detected: " +
				"Value at 'loggingConfig.s3Config.bucketName' failed to satisfy constraint (request id req-2)",
		},
		{
			"unknown client error", []reply{fail(404, "ResourceNotFoundException", "no such thing")}, 1, nil,
			"bedrock rejected the model invocation logging configuration: ResourceNotFoundException: no such thing (request id req-2)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{puts: tt.replies}
			h, c := setup(t, f)
			res, err := h.handle(context.Background(), event(cfn.RequestCreate, properties()))
			puts := 0
			for _, r := range f.requests() {
				if r.method == http.MethodPut {
					puts++
					sameJSON(t, r.body, wantPut)
				}
			}
			if puts != tt.puts {
				t.Errorf("got %d PUTs, want %d", puts, tt.puts)
			}
			if !slices.Equal(c.waits, tt.waits) {
				t.Errorf("waits = %v, want %v", c.waits, tt.waits)
			}
			if tt.err == "" {
				if err != nil || res.PhysicalResourceID != physicalID {
					t.Errorf("got %+v, %v; want success", res, err)
				}
				return
			}
			if err == nil || err.Error() != tt.err {
				t.Fatalf("error = %v\nwant    %s", err, tt.err)
			}
		})
	}
}

func TestPutBounds(t *testing.T) {
	s := time.Second
	t.Run("total", func(t *testing.T) {
		f := &fake{puts: []reply{notYet}}
		h, c := setup(t, f)
		h.retry.total = 10 * s
		_, err := h.handle(context.Background(), event(cfn.RequestCreate, properties()))
		// A third wait of 8 s would pass 10 s.
		if want := []time.Duration{2 * s, 4 * s}; !slices.Equal(c.waits, want) {
			t.Errorf("waits = %v, want %v", c.waits, want)
		}
		if err == nil || !strings.Contains(err.Error(), "after 3 attempts over 6s; last error: ValidationException: Failed to validate permissions") {
			t.Errorf("error = %v, want 3 attempts over 6s", err)
		}
	})
	t.Run("lambda deadline", func(t *testing.T) {
		f := &fake{puts: []reply{notYet}}
		h, c := setup(t, f)
		// 20 s less 5 s headroom leaves 15 s: a fourth wait of 16 s would pass it.
		ctx, cancel := context.WithTimeout(context.Background(), 20*s)
		defer cancel()
		_, err := h.handle(ctx, event(cfn.RequestCreate, properties()))
		if want := []time.Duration{2 * s, 4 * s, 8 * s}; !slices.Equal(c.waits, want) {
			t.Errorf("waits = %v, want %v", c.waits, want)
		}
		if err == nil || !strings.Contains(err.Error(), "after 4 attempts over 14s; last error: ValidationException: Failed to validate permissions") {
			t.Errorf("error = %v, want 4 attempts over 14s", err)
		}
	})
	t.Run("connection dropped every time", func(t *testing.T) {
		f := &fake{puts: []reply{{Drop: true}}}
		h, _ := setup(t, f)
		_, err := h.handle(context.Background(), event(cfn.RequestCreate, properties()))
		if err == nil || !strings.HasPrefix(err.Error(), "bedrock did not accept the model invocation logging configuration after 8 attempts over 2m0s; "+
			"last error: operation error Bedrock: PutModelInvocationLoggingConfiguration") ||
			!strings.HasSuffix(err.Error(), "; check the bedrock VPC endpoint's security group and private DNS") {
			t.Errorf("error = %v, want 8 attempts and the endpoint hint", err)
		}
	})
	t.Run("lambda deadline mid-request", func(t *testing.T) {
		f := &fake{puts: []reply{notYet, {Hang: true}}}
		h, _ := setup(t, f)
		h.retry.firstWait = time.Millisecond
		h.headroom = 100 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := h.handle(ctx, event(cfn.RequestCreate, properties()))
		dl, _ := ctx.Deadline()
		if time.Until(dl) <= 0 {
			t.Errorf("returned %v after the Lambda deadline, want before it", -time.Until(dl))
		}
		// The service's last answer, not the cut-off request, says what to fix.
		var v *types.ValidationException
		if err == nil || !strings.Contains(err.Error(), "after 2 attempts over 0s; last error: ValidationException: Failed to validate permissions") ||
			!errors.As(err, &v) {
			t.Errorf("error = %v, want 2 attempts and the last ValidationException", err)
		}
	})
	t.Run("no answer at all", func(t *testing.T) {
		f := &fake{puts: []reply{{Hang: true}}}
		h, _ := setup(t, f)
		h.headroom = 100 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := h.handle(ctx, event(cfn.RequestCreate, properties()))
		if err == nil || !strings.Contains(err.Error(), "after 1 attempt over 0s; last error: no answer from bedrock before the deadline: "+
			"check the bedrock VPC endpoint's security group and private DNS") || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want no answer before the deadline", err)
		}
	})
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("sleep = %v after %v, want context.Canceled at once", err, time.Since(start))
	}
	if err := sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep = %v, want nil", err)
	}
}

func TestTakeOverLogsReplaced(t *testing.T) {
	for _, config := range []string{
		foreignConfig,
		`{"cloudWatchConfig":{"logGroupName":"/central/bedrock","roleArn":"arn:aws:iam::111111111111:role/central-bedrock"},"textDataDeliveryEnabled":true}`,
	} {
		f := &fake{get: answer(`{"loggingConfig":` + config + `}`)}
		h, _ := setup(t, f)
		var logs bytes.Buffer
		h.log = slog.New(slog.NewJSONHandler(&logs, nil))
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-1"})

		if _, err := h.handle(ctx, event(cfn.RequestCreate, properties("TakeOver", "true"))); err != nil {
			t.Fatal(err)
		}
		var lines []map[string]any
		dec := json.NewDecoder(&logs)
		for dec.More() {
			var l map[string]any
			if err := dec.Decode(&l); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, l)
		}
		if len(lines) != 2 {
			t.Fatalf("got %d log lines, want 2: %v", len(lines), lines)
		}
		// The replaced configuration is logged in the API's shape, as the CLI
		// takes it back.
		if lines[0]["level"] != "WARN" || !strings.Contains(lines[0]["msg"].(string), "--logging-config") {
			t.Errorf("first line = %v, want a WARN take-over line", lines[0])
		}
		replaced, _ := json.Marshal(lines[0]["replaced"])
		sameJSON(t, replaced, config)
		want := map[string]any{
			"level": "INFO", "msg": "put logging configuration", "requestType": "Create", "logicalResourceId": "InvocationLogging",
			"requestId": "cfn-request-1", "awsRequestId": "lambda-1", "found": "foreign", "attempts": 1.0,
			"logGroupName": logGroup, "bucketName": bucket, "replacedForeignConfiguration": true,
		}
		got := maps.Clone(lines[1])
		delete(got, "time")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("second line = %v\nwant          %v", got, want)
		}
	}
}

func TestNoSecretsInErrors(t *testing.T) {
	echo := "The request signature we calculated does not match; signed with {authorization} x-amz-security-token:{token}"
	echoing := func(status int, errType string) reply {
		return reply{Status: status, ErrType: errType, Body: `{"message":"` + echo + `"}`}
	}
	tests := []struct {
		name string
		f    *fake
		ev   cfn.Event
	}{
		{"get", &fake{get: echoing(403, "AccessDeniedException")}, event(cfn.RequestCreate, properties())},
		{"put rejected", &fake{puts: []reply{echoing(403, "InvalidSignatureException")}}, event(cfn.RequestCreate, properties())},
		{"put retried", &fake{puts: []reply{echoing(403, "AccessDeniedException")}}, event(cfn.RequestCreate, properties())},
		{"delete", &fake{get: answer(ours), del: echoing(403, "AccessDeniedException")}, event(cfn.RequestDelete, properties())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := setup(t, tt.f)
			var logs bytes.Buffer
			h.log = slog.New(slog.NewJSONHandler(&logs, nil))
			_, err := h.handle(context.Background(), tt.ev)
			if err == nil {
				t.Fatal("want an error")
			}
			// The checks below prove nothing unless the service really
			// echoed the signing material.
			if !strings.Contains(err.Error(), "[redacted]") {
				t.Fatalf("error = %v, want the echoed signing material redacted", err)
			}
			for _, s := range []string{secretKey, keyID, token, "Signature=", "SignedHeaders="} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error leaks %q: %s", s, err)
				}
				if strings.Contains(logs.String(), s) {
					t.Errorf("log leaks %q: %s", s, logs.String())
				}
			}
		})
	}
}

// TestAnswersCloudFormation follows a request through cfn.LambdaWrap to the
// answer PUT to the pre-signed URL: a success names the configuration's
// physical ID, a failed create createFailed (so the rollback's Delete touches
// nothing) with the reason, and a failed update keeps the resource's ID.
func TestAnswersCloudFormation(t *testing.T) {
	tests := []struct {
		name           string
		ev             cfn.Event
		current        string
		status, id     string
		reasonContains string
	}{
		{"create", event(cfn.RequestCreate, properties()), none, "SUCCESS", physicalID, ""},
		{"create refused", event(cfn.RequestCreate, properties()), foreign, "FAILED", createFailed, "did not create"},
		{"update refused", event(cfn.RequestUpdate, properties()), foreign, "FAILED", physicalID, "did not create"},
		{"delete after a failed create", event(cfn.RequestDelete, properties()), ours, "SUCCESS", createFailed, ""},
	}
	tests[3].ev.PhysicalResourceID = createFailed
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			cloudFormation := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPut {
					t.Errorf("answer sent with %s, want PUT", r.Method)
				}
				if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
					t.Error(err)
				}
			}))
			defer cloudFormation.Close()
			f := &fake{get: answer(tt.current), puts: []reply{ok}}
			h, _ := setup(t, f)
			ev := tt.ev
			ev.ResponseURL = cloudFormation.URL + "/presigned"
			if _, err := cfn.LambdaWrap(h.respond)(context.Background(), ev); err != nil {
				t.Fatalf("sending the answer: %v", err)
			}
			if got["Status"] != tt.status || got["PhysicalResourceId"] != tt.id {
				t.Errorf("answer %v, want Status %s and PhysicalResourceId %s", got, tt.status, tt.id)
			}
			if reason, _ := got["Reason"].(string); !strings.Contains(reason, tt.reasonContains) {
				t.Errorf("Reason %q, want it to contain %q", reason, tt.reasonContains)
			}
		})
	}
}
