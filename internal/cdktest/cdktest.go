// Package cdktest runs the tests and examples of a package that synthesizes with aws-cdk-go (Main),
// and sets up the app, stack and supporting constructs in which an example shows its own construct
// (Stack, LogKey, Network, LambdaCode; LogicalID finds a construct's resource in the template).
package cdktest

import (
	"fmt"
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/internal/jsiienv"
)

// Main runs the package's tests and examples and exits with their result. Call it from TestMain:
//
//	func TestMain(m *testing.M) { cdktest.Main(m) }
//
// The jsii kernel starts with CDK_VALIDATION=false, so aws-cdk-lib skips its CloudFormation validation
// of each synthesized template, which the app runs in its own process; setting the variable re-executes
// the test binary once (see jsiienv). The kernel is closed when the tests are done.
func Main(m *testing.M) {
	if err := jsiienv.Set("CDK_VALIDATION", "false"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer jsii.Close()
		return m.Run()
	}()
	os.Exit(code)
}
