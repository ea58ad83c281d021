module ember.test/procs

go 1.19
