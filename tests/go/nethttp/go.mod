module ember.test/nethttp

go 1.19
