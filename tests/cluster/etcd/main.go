// Command etcd is etcd 3.5's server for the tests' API server: the upstream
// root module carries replace directives, so it cannot be installed directly.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
