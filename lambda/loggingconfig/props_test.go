package main

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
)

func TestInvalidProperties(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]any
		err   string
	}{
		{"missing log group", properties("LogGroupName", nil), "resource property LogGroupName is required"},
		{"empty bucket", properties("BucketName", ""), "resource property BucketName is empty"},
		{"prefix not a string", properties("KeyPrefix", 3.0), "resource property KeyPrefix must be a string, got float64"},
		{"prefix with trailing slash", properties("KeyPrefix", "logs/"), `resource property KeyPrefix must not start or end with "/", got "logs/"`},
		{"prefix with leading slash", properties("KeyPrefix", "/logs"), `resource property KeyPrefix must not start or end with "/", got "/logs"`},
		{
			"role not an ARN", properties("DeliveryRoleArn", "DeliveryRole"),
			`resource property DeliveryRoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got "DeliveryRole"`,
		},
		{
			"user instead of role", properties("DeliveryRoleArn", "arn:aws:iam::111111111111:user/admin"),
			`resource property DeliveryRoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got "arn:aws:iam::111111111111:user/admin"`,
		},
		{"flag not a boolean", properties("TextDelivery", "yes"), `resource property TextDelivery must be "true" or "false", got "yes"`},
		{"flag capitalised", properties("TakeOver", "True"), `resource property TakeOver must be "true" or "false", got "True"`},
		{"flag a number", properties("ImageDelivery", 1.0), `resource property ImageDelivery must be "true" or "false", got 1`},
		{"flag missing", properties("EmbeddingDelivery", nil), `resource property EmbeddingDelivery is required ("true" or "false")`},
		{
			"nothing to deliver", properties("TextDelivery", "false", "EmbeddingDelivery", false),
			`resource properties TextDelivery, ImageDelivery and EmbeddingDelivery are all "false": at least one must be "true"`,
		},
		{
			"several problems", properties("LogGroupName", nil, "KeyPrefix", "", "TextDelivery", "1"),
			"resource property LogGroupName is required\nresource property KeyPrefix is empty\n" +
				`resource property TextDelivery must be "true" or "false", got "1"`,
		},
		{
			"no properties", nil,
			"resource property LogGroupName is required\nresource property DeliveryRoleArn is required\n" +
				"resource property BucketName is required\nresource property KeyPrefix is required\n" +
				`resource property TextDelivery is required ("true" or "false")` + "\n" +
				`resource property ImageDelivery is required ("true" or "false")` + "\n" +
				`resource property EmbeddingDelivery is required ("true" or "false")`,
		},
	}
	for _, tt := range tests {
		for _, rt := range []cfn.RequestType{cfn.RequestCreate, cfn.RequestUpdate} {
			t.Run(tt.name+"/"+string(rt), func(t *testing.T) {
				f := &fake{}
				h, _ := setup(t, f)
				_, err := h.handle(context.Background(), event(rt, tt.props))
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v\nwant    %s", err, tt.err)
				}
				if n := len(f.requests()); n != 0 {
					t.Errorf("%d requests reached bedrock, want 0", n)
				}
			})
		}
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name                   string
		props                  map[string]any
		text, image, embedding bool
	}{
		{"strings", properties("TextDelivery", "false", "ImageDelivery", "true", "EmbeddingDelivery", "false"), false, true, false},
		{"booleans", properties("TextDelivery", true, "ImageDelivery", false, "EmbeddingDelivery", true), true, false, true},
		{"take-over absent", properties("TakeOver", nil), true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{}
			h, _ := setup(t, f)
			if _, err := h.handle(context.Background(), event(cfn.RequestCreate, tt.props)); err != nil {
				t.Fatal(err)
			}
			calls := f.requests()
			var body struct {
				LoggingConfig struct {
					Text      *bool `json:"textDataDeliveryEnabled"`
					Image     *bool `json:"imageDataDeliveryEnabled"`
					Embedding *bool `json:"embeddingDataDeliveryEnabled"`
				} `json:"loggingConfig"`
			}
			if len(calls) != 2 || calls[1].method != http.MethodPut {
				t.Fatalf("requests = %v, want GET then PUT", f.methods())
			}
			if err := json.Unmarshal(calls[1].body, &body); err != nil {
				t.Fatal(err)
			}
			c := body.LoggingConfig
			if c.Text == nil || c.Image == nil || c.Embedding == nil ||
				*c.Text != tt.text || *c.Image != tt.image || *c.Embedding != tt.embedding {
				t.Errorf("body = %s, want text %v, image %v, embedding %v", calls[1].body, tt.text, tt.image, tt.embedding)
			}
		})
	}

	// "false" must not count as set: a foreign configuration stays refused.
	for _, takeOver := range []any{"false", false, nil} {
		f := &fake{get: answer(foreign)}
		h, _ := setup(t, f)
		if _, err := h.handle(context.Background(), event(cfn.RequestCreate, properties("TakeOver", takeOver))); err == nil {
			t.Errorf("TakeOver %#v: put over a foreign configuration, want refused", takeOver)
		}
		if m := f.methods(); len(m) != 1 {
			t.Errorf("TakeOver %#v: requests = %v, want [GET]", takeOver, m)
		}
	}
}
