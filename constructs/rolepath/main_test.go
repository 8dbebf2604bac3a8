package rolepath_test

import (
	"testing"

	"github.com/privatebedrock/stack/internal/cdktest"
)

func TestMain(m *testing.M) { cdktest.Main(m) }
