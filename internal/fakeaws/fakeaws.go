// Package fakeaws serves AWS APIs from an httptest server well enough for the real AWS SDK for Go v2,
// so tools that check an account (preflight, verify) are tested offline through the SDK's own
// serializers, signing and error deserializers. A test registers what each operation answers; any
// other call fails the test.
package fakeaws

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/encoding/cbor"
)

// Test credentials, as in the AWS documentation's examples.
const (
	AccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// protocol is how a service encodes requests, responses and errors.
type protocol int

const (
	awsQuery  protocol = iota // form-encoded POST with Action=, XML in <OpResponse><OpResult>
	ec2Query                  // as awsQuery, but XML in <OpResponse> and errors in <Response><Errors>
	awsJSON                   // JSON 1.1: POST with X-Amz-Target, errors as {"__type": ...}
	restJSON                  // operation in method and path, errors in the X-Amzn-ErrorType header
	restXML                   // as restJSON, but XML, errors as <Error><Code>
	rpcv2CBOR                 // POST /service/<name>/operation/<op>, CBOR bodies, errors as {"__type": ...}
)

// protocols maps each service, by its signing name, to its protocol.
var protocols = map[string]protocol{
	"sts":            awsQuery,
	"cloudformation": awsQuery,
	"ec2":            ec2Query,
	"cloudtrail":     awsJSON,
	"lambda":         restJSON,
	"bedrock":        restJSON,
	"logs":           awsJSON,
	"s3":             restXML,
	"monitoring":     rpcv2CBOR, // CloudWatch
}

// restRoutes are the method and path of each REST operation the fake knows, as the SDK's serializers
// write them (S3 in path style, which the SDK uses for an endpoint that is an IP address); add an
// operation here before a test registers it.
var restRoutes = map[string]map[string]string{
	"bedrock": {
		"GetFoundationModel":                     "GET /foundation-models/{modelIdentifier}",
		"GetFoundationModelAvailability":         "GET /foundation-model-availability/{modelId}",
		"GetInferenceProfile":                    "GET /inference-profiles/{inferenceProfileIdentifier}",
		"GetModelInvocationLoggingConfiguration": "GET /logging/modelinvocations",
		"ListEnforcedGuardrailsConfiguration":    "GET /enforcedGuardrailsConfiguration",
	},
	"lambda": {
		"GetAccountSettings": "GET /2016-08-19/account-settings",
		"Invoke":             "POST /2015-03-31/functions/{FunctionName}/invocations",
	},
	"s3": {
		"ListObjectsV2": "GET /{Bucket}",
	},
}

// Call is one request the fake received.
type Call struct {
	// Service is the signing name: sts, ec2, cloudformation, cloudtrail, lambda, bedrock, logs, s3,
	// monitoring (CloudWatch).
	Service   string
	Operation string
	// Region is the region the request was signed for.
	Region string
	// Input holds the request's parameters: the form fields of a query or EC2 request, the top-level
	// scalar members of a JSON or CBOR body, the path and query-string parameters of a REST request
	// and the top-level scalars of its JSON body.
	Input url.Values
	Body  []byte
}

// Reply is what an operation answers.
type Reply struct {
	// Status is the HTTP status. Default: 200, or 400 for an error.
	Status int
	// Body is the operation's result: for query protocols the XML inside <OpResult> (EC2: inside
	// <OpResponse>), for REST-XML the whole XML document, otherwise the JSON document (for CBOR services
	// the fake encodes it as CBOR; a JSON integer becomes a CBOR integer).
	Body string
	// Code and Message make the reply an AWS error in the service's protocol.
	Code, Message string
	// Header holds response headers the operation's output reads, e.g. Lambda's X-Amz-Function-Error.
	Header map[string]string
}

// OK answers with a result.
func OK(body string) Reply { return Reply{Body: body} }

// Error answers with an AWS error.
func Error(status int, code, message string) Reply {
	return Reply{Status: status, Code: code, Message: message}
}

// Handler answers one call.
type Handler func(Call) Reply

// Server is a fake of several AWS services on one httptest server; the service of a request is the
// one it was signed for.
type Server struct {
	URL  string
	t    testing.TB
	srv  *httptest.Server
	rest map[string]*http.ServeMux // routes of each REST service, by method and path

	mu       sync.Mutex
	handlers map[string]Handler // by service + " " + operation
	calls    []Call
}

// New starts a fake that lives as long as the test.
func New(t testing.TB) *Server {
	s := &Server{t: t, handlers: map[string]Handler{}, rest: map[string]*http.ServeMux{}}
	for service, routes := range restRoutes {
		mux := http.NewServeMux()
		for op, pattern := range routes {
			mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
				body, ok := s.body(w, r, service)
				if !ok {
					return
				}
				input := r.URL.Query()
				for name, values := range scalars(body) {
					input[name] = values
				}
				for _, name := range wildcards(pattern) {
					input.Set(name, r.PathValue(name))
				}
				s.answer(w, r, service, op, input, body)
			})
		}
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			s.unknown(w, service, r.Method+" "+r.URL.Path)
		})
		s.rest[service] = mux
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Handle registers what an operation answers.
func (s *Server) Handle(service, operation string, h Handler) {
	if _, ok := protocols[service]; !ok {
		s.t.Fatalf("fakeaws: unknown service %q", service)
	}
	if routes, ok := restRoutes[service]; ok && routes[operation] == "" {
		s.t.Fatalf("fakeaws: no REST route for %s %s: add it to restRoutes", service, operation)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[service+" "+operation] = h
}

// Answer registers the same reply for every call of an operation.
func (s *Server) Answer(service, operation string, r Reply) {
	s.Handle(service, operation, func(Call) Reply { return r })
}

// Calls are the requests received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Operations are the calls received so far as "service:Operation", in order.
func (s *Server) Operations() []string {
	var ops []string
	for _, c := range s.Calls() {
		ops = append(ops, c.Service+":"+c.Operation)
	}
	return ops
}

// Config is an SDK configuration that sends every service's requests to the fake, with static
// credentials, for the region.
func (s *Server) Config(region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   s.srv.Client(),
	}
}

// Env sets the environment so that config.LoadDefaultConfig finds static credentials, the region
// (none when empty) and the fake as every service's endpoint, and nothing of the developer's.
func (s *Server) Env(t testing.TB, region string) {
	Hermetic(t)
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretAccessKey)
	t.Setenv("AWS_ENDPOINT_URL", s.URL)
	if region != "" {
		t.Setenv("AWS_REGION", region)
	}
}

// Hermetic clears every AWS_ variable for the test and points the shared config and credentials files
// at paths that do not exist, so the developer's own credentials, profile and region never leak in.
// Instance metadata is switched off: outside EC2 the SDK would wait for it.
func Hermetic(t testing.TB) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "AWS_") {
			t.Setenv(name, "") // restores the value after the test
			os.Unsetenv(name)
		}
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

var scopePattern = regexp.MustCompile(`Credential=[^/]+/[0-9]{8}/([^/]+)/([^/]+)/aws4_request`)

// scope is the region and service a request was signed for: the SDK signs every call with SigV4, and
// its credential scope names both.
func scope(r *http.Request) (region, service string, ok bool) {
	m := scopePattern.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	_, service, signed := scope(r)
	if !signed {
		s.t.Errorf("fakeaws: unsigned request %s %s", r.Method, r.URL)
		http.Error(w, "unsigned request", http.StatusBadRequest)
		return
	}
	proto, ok := protocols[service]
	if !ok {
		s.t.Errorf("fakeaws: request for unknown service %q: %s %s", service, r.Method, r.URL)
		http.Error(w, "unknown service", http.StatusBadRequest)
		return
	}
	switch proto {
	case awsQuery, ec2Query:
		if err := r.ParseForm(); err != nil {
			s.t.Errorf("fakeaws: %s request is not form-encoded: %v", service, err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.answer(w, r, service, r.PostForm.Get("Action"), r.PostForm, nil)
	case awsJSON:
		body, ok := s.body(w, r, service)
		if !ok {
			return
		}
		target := r.Header.Get("X-Amz-Target")
		s.answer(w, r, service, target[strings.LastIndex(target, ".")+1:], scalars(body), body)
	case restJSON, restXML:
		s.rest[service].ServeHTTP(w, r)
	case rpcv2CBOR:
		body, ok := s.body(w, r, service)
		if !ok {
			return
		}
		s.answer(w, r, service, r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], cborScalars(body), body)
	}
}

// body reads a request's body; when it cannot, it fails the test and answers the request itself.
func (s *Server) body(w http.ResponseWriter, r *http.Request, service string) ([]byte, bool) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("fakeaws: read %s request: %v", service, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// answer records the call and writes the registered handler's reply in the service's protocol.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, service, op string, input url.Values, body []byte) {
	region, _, _ := scope(r)
	call := Call{Service: service, Operation: op, Region: region, Input: input, Body: body}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	requestID := fmt.Sprintf("fake-%d", len(s.calls))
	h := s.handlers[service+" "+op]
	s.mu.Unlock()
	if h == nil {
		s.unknown(w, service, op)
		return
	}
	write(w, protocols[service], op, requestID, h(call))
}

// unknown fails the test and answers with a client error, which the SDK does not retry.
func (s *Server) unknown(w http.ResponseWriter, service, op string) {
	s.t.Errorf("fakeaws: unexpected call %s %s: register it with Handle or Answer", service, op)
	write(w, protocols[service], op, "fake-unregistered", Error(http.StatusBadRequest, "FakeUnregisteredOperation", "no fake handler for "+service+" "+op))
}

func write(w http.ResponseWriter, proto protocol, op, requestID string, rep Reply) {
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
		if rep.Code != "" {
			status = http.StatusBadRequest
		}
	}
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	var body string
	switch proto {
	case awsQuery, ec2Query:
		w.Header().Set("Content-Type", "text/xml")
		switch {
		case rep.Code != "" && proto == awsQuery:
			body = fmt.Sprintf("<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>",
				escape(rep.Code), escape(rep.Message), requestID)
		case rep.Code != "":
			body = fmt.Sprintf("<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>",
				escape(rep.Code), escape(rep.Message), requestID)
		case proto == awsQuery:
			body = fmt.Sprintf("<%[1]sResponse><%[1]sResult>%[2]s</%[1]sResult><ResponseMetadata><RequestId>%[3]s</RequestId></ResponseMetadata></%[1]sResponse>",
				op, rep.Body, requestID)
		default:
			body = fmt.Sprintf("<%[1]sResponse><requestId>%[3]s</requestId>%[2]s</%[1]sResponse>", op, rep.Body, requestID)
		}
	case awsJSON, restJSON:
		contentType := "application/json"
		if proto == awsJSON {
			contentType = "application/x-amz-json-1.1"
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-Amzn-RequestId", requestID)
		body = rep.Body
		if rep.Code != "" {
			w.Header().Set("X-Amzn-ErrorType", rep.Code)
			doc, _ := json.Marshal(map[string]string{"__type": rep.Code, "message": rep.Message})
			body = string(doc)
		}
		if body == "" {
			body = "{}"
		}
	case restXML:
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("X-Amz-Request-Id", requestID)
		body = rep.Body
		if rep.Code != "" {
			body = fmt.Sprintf("<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>",
				escape(rep.Code), escape(rep.Message), requestID)
		}
	case rpcv2CBOR:
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("X-Amzn-RequestId", requestID)
		doc := rep.Body
		if rep.Code != "" {
			encoded, _ := json.Marshal(map[string]string{"__type": rep.Code, "message": rep.Message})
			doc = string(encoded)
		}
		if doc == "" {
			doc = "{}"
		}
		body = string(jsonToCBOR(doc))
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// scalars are the top-level string, number and boolean members of a JSON object.
func scalars(body []byte) url.Values {
	var doc map[string]any
	json.Unmarshal(body, &doc)
	input := url.Values{}
	for k, v := range doc {
		switch x := v.(type) {
		case string, bool:
			input.Set(k, fmt.Sprint(x))
		case float64:
			// Not in exponent form: a JSON number is often a timestamp in milliseconds.
			input.Set(k, strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	return input
}

// cborScalars are the top-level string, integer and boolean members of a CBOR map.
func cborScalars(body []byte) url.Values {
	input := url.Values{}
	doc, err := cbor.Decode(body)
	m, ok := doc.(cbor.Map)
	if err != nil || !ok {
		return input
	}
	for k, v := range m {
		switch x := v.(type) {
		case cbor.String:
			input.Set(k, string(x))
		case cbor.Uint:
			input.Set(k, fmt.Sprint(uint64(x)))
		case cbor.Bool:
			input.Set(k, fmt.Sprint(bool(x)))
		}
	}
	return input
}

// jsonToCBOR encodes a JSON document as CBOR, so tests write CBOR replies as JSON. It panics on invalid
// JSON: a test's reply is a literal.
func jsonToCBOR(doc string) []byte {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic(fmt.Sprintf("fakeaws: reply is not JSON: %v: %s", err, doc))
	}
	return cbor.Encode(cborValue(v))
}

func cborValue(v any) cbor.Value {
	switch x := v.(type) {
	case map[string]any:
		m := cbor.Map{}
		for k, e := range x {
			m[k] = cborValue(e)
		}
		return m
	case []any:
		l := cbor.List{}
		for _, e := range x {
			l = append(l, cborValue(e))
		}
		return l
	case string:
		return cbor.String(x)
	case bool:
		return cbor.Bool(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			if i < 0 {
				return cbor.NegInt(uint64(-i))
			}
			return cbor.Uint(uint64(i))
		}
		f, _ := x.Float64()
		return cbor.Float64(f)
	}
	return &cbor.Nil{}
}

var wildcardPattern = regexp.MustCompile(`\{([A-Za-z]+)\}`)

func wildcards(pattern string) []string {
	var names []string
	for _, m := range wildcardPattern.FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	return names
}

// RESTJSONReply is a raw answer of a REST-JSON service, for handler tests that drive one operation through
// its edge cases: no answer, a dropped connection, a body quoting the request's signing material.
type RESTJSONReply struct {
	Status int
	// ErrType is the error code in X-Amzn-ErrorType; empty for a success.
	ErrType string
	// Body may contain {authorization} and {token}, replaced by the request's Authorization header and
	// session token, as a signature-mismatch error quotes them: tests prove they never reach a message.
	Body string
	// Hang never answers, like a request lost on the way; Drop closes the connection without an answer.
	Hang, Drop bool
}

// Write answers r with the reply under the request ID.
func (rep RESTJSONReply) Write(w http.ResponseWriter, r *http.Request, requestID string) {
	switch {
	case rep.Hang:
		<-r.Context().Done()
		return
	case rep.Drop:
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	body := strings.NewReplacer(
		"{authorization}", r.Header.Get("Authorization"),
		"{token}", r.Header.Get("X-Amz-Security-Token"),
	).Replace(rep.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", requestID)
	if rep.ErrType != "" {
		w.Header().Set("X-Amzn-ErrorType", rep.ErrType)
	}
	w.WriteHeader(rep.Status)
	io.WriteString(w, body)
}
