package environment

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/privatebedrock/stack/internal/awsrules"
)

// retention is the awslogs enum member for a retention the configuration accepted.
func retention(days int) awslogs.RetentionDays {
	name, ok := awsrules.LogRetentionName(days)
	if !ok {
		// config.Validate admits only retentions CloudWatch Logs accepts.
		panic(fmt.Sprintf("environment: log retention of %d days has no CloudWatch Logs equivalent", days))
	}
	return awslogs.RetentionDays(name)
}
