package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
)

// props are the custom resource's properties.
type props struct {
	LogGroupName    string
	DeliveryRoleArn string
	BucketName      string
	KeyPrefix       string
	Text            bool
	Image           bool
	Embedding       bool
	// TakeOver allows replacing a configuration this stack did not create.
	TakeOver bool
}

var roleArn = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/\S+$`)

// parseProps checks every property and reports all problems at once. The
// properties come from the construct, not from a user, so a problem here is a
// bug in the construct: the messages name the property for whoever fixes it.
func parseProps(m map[string]any) (props, error) {
	var errs []error
	str := func(name string) string {
		switch v := m[name].(type) {
		case nil:
			errs = append(errs, fmt.Errorf("resource property %s is required", name))
		case string:
			if v == "" {
				errs = append(errs, fmt.Errorf("resource property %s is empty", name))
			}
			return v
		default:
			errs = append(errs, fmt.Errorf("resource property %s must be a string, got %T", name, v))
		}
		return ""
	}
	// CloudFormation turns booleans into "true" and "false"; real booleans are
	// accepted too for a caller that passes the JSON through unchanged.
	flag := func(name string, required bool) bool {
		switch v := m[name].(type) {
		case bool:
			return v
		case string:
			switch v {
			case "true":
				return true
			case "false":
				return false
			}
			errs = append(errs, fmt.Errorf(`resource property %s must be "true" or "false", got %q`, name, v))
		case nil:
			if required {
				errs = append(errs, fmt.Errorf(`resource property %s is required ("true" or "false")`, name))
			}
		default:
			errs = append(errs, fmt.Errorf(`resource property %s must be "true" or "false", got %v`, name, v))
		}
		return false
	}

	p := props{
		LogGroupName:    str("LogGroupName"),
		DeliveryRoleArn: str("DeliveryRoleArn"),
		BucketName:      str("BucketName"),
		KeyPrefix:       str("KeyPrefix"),
	}
	if p.DeliveryRoleArn != "" && !roleArn.MatchString(p.DeliveryRoleArn) {
		errs = append(errs, fmt.Errorf("resource property DeliveryRoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got %q", p.DeliveryRoleArn))
	}
	// The large-data prefix is appended with a slash, so a slash at either end
	// would make an empty path segment.
	if strings.HasPrefix(p.KeyPrefix, "/") || strings.HasSuffix(p.KeyPrefix, "/") {
		errs = append(errs, fmt.Errorf(`resource property KeyPrefix must not start or end with "/", got %q`, p.KeyPrefix))
	}
	n := len(errs)
	p.Text, p.Image, p.Embedding = flag("TextDelivery", true), flag("ImageDelivery", true), flag("EmbeddingDelivery", true)
	if len(errs) == n && !p.Text && !p.Image && !p.Embedding {
		errs = append(errs, errors.New(`resource properties TextDelivery, ImageDelivery and EmbeddingDelivery are all "false": at least one must be "true"`))
	}
	p.TakeOver = flag("TakeOver", false)
	if len(errs) > 0 {
		return props{}, errors.Join(errs...)
	}
	return p, nil
}

// config is the configuration the properties describe.
func (p props) config() *types.LoggingConfig {
	return &types.LoggingConfig{
		CloudWatchConfig: &types.CloudWatchConfig{
			LogGroupName: aws.String(p.LogGroupName),
			RoleArn:      aws.String(p.DeliveryRoleArn),
			// Payloads over CloudWatch's 100 KB event limit go to S3 instead of being dropped.
			LargeDataDeliveryS3Config: &types.S3Config{
				BucketName: aws.String(p.BucketName),
				KeyPrefix:  aws.String(p.KeyPrefix + "/large-data"),
			},
		},
		S3Config:                     &types.S3Config{BucketName: aws.String(p.BucketName), KeyPrefix: aws.String(p.KeyPrefix)},
		TextDataDeliveryEnabled:      aws.Bool(p.Text),
		ImageDataDeliveryEnabled:     aws.Bool(p.Image),
		EmbeddingDataDeliveryEnabled: aws.Bool(p.Embedding),
	}
}

// owner holds the destinations that mark a configuration as this stack's.
type owner struct{ logGroup, bucket string }

// ownerOf reads the destinations leniently, because it also serves old
// properties and deletes, which must not fail on properties they do not use.
func ownerOf(m map[string]any) owner {
	lg, _ := m["LogGroupName"].(string)
	b, _ := m["BucketName"].(string)
	return owner{lg, b}
}

func (o owner) owns(c *types.LoggingConfig) bool {
	return o.logGroup != "" && c.CloudWatchConfig != nil && aws.ToString(c.CloudWatchConfig.LogGroupName) == o.logGroup ||
		o.bucket != "" && c.S3Config != nil && aws.ToString(c.S3Config.BucketName) == o.bucket
}

// exists tells a configuration from the empty answer of an account that has none.
func exists(c *types.LoggingConfig) bool {
	return c != nil && (c.CloudWatchConfig != nil || c.S3Config != nil)
}

// destinations names where a configuration delivers, for messages.
func destinations(c *types.LoggingConfig) string {
	var d []string
	if cw := c.CloudWatchConfig; cw != nil {
		d = append(d, fmt.Sprintf("CloudWatch log group %q", aws.ToString(cw.LogGroupName)))
	}
	if s3 := c.S3Config; s3 != nil {
		d = append(d, fmt.Sprintf("S3 bucket %q", aws.ToString(s3.BucketName)))
	}
	return strings.Join(d, ", ")
}

// record is the configuration in the API's own JSON shape, so an operator can
// pass a logged one back to
// aws bedrock put-model-invocation-logging-configuration --logging-config.
type record struct {
	CloudWatchConfig *cloudWatchRecord `json:"cloudWatchConfig,omitempty"`
	S3Config         *s3Record         `json:"s3Config,omitempty"`
	Text             *bool             `json:"textDataDeliveryEnabled,omitempty"`
	Image            *bool             `json:"imageDataDeliveryEnabled,omitempty"`
	Embedding        *bool             `json:"embeddingDataDeliveryEnabled,omitempty"`
	Video            *bool             `json:"videoDataDeliveryEnabled,omitempty"`
}

type cloudWatchRecord struct {
	LogGroupName string    `json:"logGroupName"`
	RoleArn      string    `json:"roleArn"`
	LargeData    *s3Record `json:"largeDataDeliveryS3Config,omitempty"`
}

type s3Record struct {
	BucketName string  `json:"bucketName"`
	KeyPrefix  *string `json:"keyPrefix,omitempty"`
}

func recordOf(c *types.LoggingConfig) record {
	s3 := func(s *types.S3Config) *s3Record {
		if s == nil {
			return nil
		}
		return &s3Record{aws.ToString(s.BucketName), s.KeyPrefix}
	}
	r := record{
		S3Config:  s3(c.S3Config),
		Text:      c.TextDataDeliveryEnabled,
		Image:     c.ImageDataDeliveryEnabled,
		Embedding: c.EmbeddingDataDeliveryEnabled,
		Video:     c.VideoDataDeliveryEnabled,
	}
	if cw := c.CloudWatchConfig; cw != nil {
		r.CloudWatchConfig = &cloudWatchRecord{aws.ToString(cw.LogGroupName), aws.ToString(cw.RoleArn), s3(cw.LargeDataDeliveryS3Config)}
	}
	return r
}
