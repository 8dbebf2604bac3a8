package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

type accountSettingsAPI interface {
	GetAccountSettings(context.Context, *lambda.GetAccountSettingsInput, ...func(*lambda.Options)) (*lambda.GetAccountSettingsOutput, error)
}

// unreservedFloor is what Lambda keeps unreserved in every account and region: a reservation that would
// leave less fails, and with it the deployment.
const unreservedFloor = 100

// checkConcurrency confirms the account can reserve the test function's concurrency.
func checkConcurrency(ctx context.Context, api accountSettingsAPI, env config.Environment) checklist.Row {
	const name = "Lambda concurrency"
	want := env.InvokerReservedConcurrency
	if want == 0 {
		return checklist.Pass(name, "invokerReservedConcurrency is 0: the test function reserves nothing")
	}
	out, err := api.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil {
		return unchecked(name, "", err)
	}
	quota := int(out.AccountLimit.ConcurrentExecutions)
	unreserved := int(aws.ToInt32(out.AccountLimit.UnreservedConcurrentExecutions))
	detail := fmt.Sprintf("reserving %d of %d unreserved executions (quota %d) leaves %d; Lambda keeps %d",
		want, unreserved, quota, unreserved-want, unreservedFloor)
	if unreserved-want < unreservedFloor {
		return checklist.Fail(name, detail, fmt.Sprintf("request a \"Concurrent executions\" quota of at least %d "+
			"(Service Quotas, L-B99A9384), or set invokerReservedConcurrency to 0", quota+unreservedFloor-(unreserved-want)))
	}
	return checklist.Pass(name, detail)
}
