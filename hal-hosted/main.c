/*
 * The ember command line: `ember run` boots the core on the hosted HAL
 * with a static Linux program as its first process; `ember version`.
 * Everything the core needs from the host arrives in struct boot_info;
 * after kmain returns, the libuv loop (loop.c) drives the kernel until a
 * hal_halt ends the process with the guest's status.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hosted.h"

extern char **environ;
bool hosted_verbose;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ember run [OPTIONS] [--] PROGRAM [ARGS...]\n"
		"       ember boot [--initramfs FILE] [--accel=tcg|kvm] [--gdb] [--] [KERNEL ARGS]\n"
		"       ember version\n"
		"\n"
		"Runs a static x86_64 Linux PROGRAM on the Ember kernel, hosted in\n"
		"this process. PROGRAM is a path in the guest's view of the\n"
		"filesystem (the --root directory), or a name searched in PATH.\n"
		"\n"
		"options:\n"
		"  --root DIR        host directory the guest sees as / (default /)\n"
		"  --initramfs FILE  root is a tmpfs holding this cpio (newc)\n"
		"                    archive instead of a host directory\n"
		"  --strace          print every guest syscall on stderr\n"
		"  --mem SIZE        kernel memory, e.g. 512M, 2G (default 2G)\n"
		"  --platform=NAME   trap mechanism: ptrace (default) or systrap\n"
		"  --cmdline STR     extra kernel command line (loglevel=7, quiet)\n"
		"  --net tap:NAME[,ip=ADDR/PREFIX][,gw=ADDR][,dhcp]\n"
		"                    give the guest eth0 on host tap device NAME\n"
		"                    (created when missing and allowed); static\n"
		"                    IPv4 or DHCP; IPv6 link-local always\n"
		"  --disk FILE[,ro]  attach FILE (an image or block device) as\n"
		"                    /dev/vda, vdb, ... in the order given;\n"
		"                    read-only with ,ro or when not writable\n"
		"  --no-confine      do not load the kernel's own seccomp allowlist\n"
		"  --stats           print the kernel's frame and kmalloc counts at\n"
		"                    boot and at exit (the \"stats\" kernel argument)\n"
		"  -h, --help        this text\n"
		"\n"
		"ember exits with the guest's exit status, or 128+N when a signal\n"
		"N killed it.\n");
}

static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end || v < (16ULL << 20) || v > (64ULL << 30)) {
		fprintf(stderr, "ember: bad --mem size '%s' (16M..64G)\n", s);
		exit(2);
	}
	return v & ~0xfffULL;
}

/* Reads a whole host file into malloc'ed memory: 0 or -errno. */
static int read_whole_file(const char *path, void **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *buf = NULL;

	if (!f)
		return -errno;
	for (;;) {
		char *nb = realloc(buf, cap);

		if (!nb) {
			free(buf);
			fclose(f);
			return -ENOMEM;
		}
		buf = nb;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*data = buf;
	*len = n;
	return 0;
}

/* The guest's cwd: the host cwd seen through --root, or "/" outside it. */
static char *guest_cwd(const char *root)
{
	char cwd[PATH_MAX], rroot[PATH_MAX];

	if (!getcwd(cwd, sizeof(cwd)) || !realpath(root, rroot))
		return strdup("/");
	if (strcmp(rroot, "/") == 0)
		return strdup(cwd);
	size_t n = strlen(rroot);
	if (strncmp(cwd, rroot, n) == 0 && (cwd[n] == '/' || cwd[n] == 0))
		return strdup(cwd[n] ? cwd + n : "/");
	return strdup("/");
}

/*
 * --net tap:NAME[,ip=A.B.C.D/P][,gw=A.B.C.D][,dhcp]: opens the tap and
 * appends the IPv4 set-up to the kernel command line in Linux's
 * nfsroot form, ip=CLIENT::GW:NETMASK::eth0:off or ip=dhcp. Returns the
 * tap fd or a negative errno (already reported).
 */
static int parse_net(const char *spec, char *cmdline, size_t size)
{
	char buf[256], ip[64] = "", gw[64] = "", mask[32] = "";
	bool dhcp = false;
	char *save, *tok, *name;
	int fd;

	if (strncmp(spec, "tap:", 4) != 0 || strlen(spec) >= sizeof(buf)) {
		fprintf(stderr, "ember: --net %s: expected tap:NAME[,ip=ADDR/PREFIX][,gw=ADDR][,dhcp]\n",
			spec);
		return -EINVAL;
	}
	strcpy(buf, spec + 4);
	name = strtok_r(buf, ",", &save);
	if (!name) {
		fprintf(stderr, "ember: --net %s: no tap name\n", spec);
		return -EINVAL;
	}
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (strncmp(tok, "ip=", 3) == 0 && strlen(tok) < sizeof(ip)) {
			char *slash = strchr(tok + 3, '/');
			unsigned prefix = 24;

			if (slash) {
				*slash = 0;
				prefix = (unsigned)atoi(slash + 1);
			}
			if (prefix > 32) {
				fprintf(stderr, "ember: --net: bad prefix /%u\n", prefix);
				return -EINVAL;
			}
			uint32_t m = prefix ? 0xffffffffu << (32 - prefix) : 0;
			snprintf(mask, sizeof(mask), "%u.%u.%u.%u", m >> 24,
				 (m >> 16) & 255, (m >> 8) & 255, m & 255);
			strcpy(ip, tok + 3);
		} else if (strncmp(tok, "gw=", 3) == 0 && strlen(tok) < sizeof(gw)) {
			strcpy(gw, tok + 3);
		} else if (strcmp(tok, "dhcp") == 0) {
			dhcp = true;
		} else {
			fprintf(stderr, "ember: --net: unknown option '%s'\n", tok);
			return -EINVAL;
		}
	}
	struct in_addr probe;
	if ((ip[0] && inet_pton(AF_INET, ip, &probe) != 1) ||
	    (gw[0] && inet_pton(AF_INET, gw, &probe) != 1)) {
		fprintf(stderr, "ember: --net %s: bad IPv4 address\n", spec);
		return -EINVAL;
	}
	fd = net_tap_open(name);
	if (fd < 0)
		return fd;
	size_t n = strlen(cmdline);
	if (dhcp)
		snprintf(cmdline + n, size - n, " ip=dhcp");
	else if (ip[0])
		snprintf(cmdline + n, size - n, " ip=%s::%s:%s::eth0:off", ip,
			 gw, mask);
	return fd;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, 0, 'r' },
		{ "initramfs", required_argument, 0, 'I' },
		{ "strace", no_argument, 0, 's' },
		{ "mem", required_argument, 0, 'm' },
		{ "platform", required_argument, 0, 'p' },
		{ "cmdline", required_argument, 0, 'c' },
		{ "verbose", no_argument, 0, 'v' },
		{ "no-confine", no_argument, 0, 'n' },
		{ "stats", no_argument, 0, 'S' },
		{ "disk", required_argument, 0, 'd' },
		{ "net", required_argument, 0, 'N' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *root = "/", *cmdline = "", *net = NULL, *initramfs = NULL;
	void *initrd = NULL;
	size_t initrd_len = 0;
	static char full_cmdline[8192];
	int net_fd = -1;
	uint64_t mem = 2ULL << 30;
	bool strace = false, confine = true, stats = false;
	bool use_systrap = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'I': initramfs = optarg; break;
		case 's': strace = true; break;
		case 'm': mem = parse_size(optarg); break;
		case 'c': cmdline = optarg; break;
		case 'v': hosted_verbose = true; break;
		case 'n': confine = false; break;
		case 'S': stats = true; break;
		case 'd':
			if ((c = blk_add_disk(optarg)) < 0) {
				fprintf(stderr, "ember: --disk %s: %s\n", optarg,
					strerror(-c));
				return 2;
			}
			break;
		case 'N': net = optarg; break;
		case 'p':
			/* systrap hook: --platform=systrap */
			use_systrap = strcmp(optarg, "systrap") == 0;
			if (strcmp(optarg, "ptrace") != 0 && !use_systrap) {
				fprintf(stderr,
					"ember: unknown platform '%s' (have: ptrace, systrap)\n",
					optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}

	/* hostfs keeps one host fd per open guest file or cached inode. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	int err = hostfs_set_root(root);
	if (err) {
		fprintf(stderr, "ember: --root %s: %s\n", root, strerror(-err));
		return 2;
	}
	err = phys_init(mem);
	if (err) {
		fprintf(stderr, "ember: cannot set up %llu bytes of memory: %s\n",
			(unsigned long long)mem, strerror(-err));
		return 125;
	}

	snprintf(full_cmdline, sizeof(full_cmdline), "%s", cmdline);
	if (net) {
		net_fd = parse_net(net, full_cmdline, sizeof(full_cmdline));
		if (net_fd < 0)
			return 125;
		cmdline = full_cmdline;
	}

	if (stats) {
		/* Sugar for the core's own command-line switch. */
		size_t n = strlen(cmdline) + sizeof(" stats");
		char *cl = malloc(n);

		if (!cl)
			return 125;
		snprintf(cl, n, "%s stats", cmdline);
		cmdline = cl;
	}

	if (initramfs) {
		int e = read_whole_file(initramfs, &initrd, &initrd_len);

		if (e) {
			fprintf(stderr, "ember: --initramfs %s: %s\n", initramfs,
				strerror(-e));
			return 2;
		}
	}

	struct boot_info bi = {
		/* Frame 0 stays unused so that 0 can mean "no frame". */
		.mem_start = 0,
		.mem_bytes = mem,
		.cmdline = cmdline,
		.root_is_hostfs = initramfs == NULL,
		.initramfs = initrd,
		.initramfs_len = initrd_len,
		.init_path = argv[optind],
		.init_argv = (const char *const *)&argv[optind],
		.init_envp = (const char *const *)environ,
		.init_cwd = initramfs ? "/" : guest_cwd(root),
		.strace = strace,
	};
	loop_init();
	if (use_systrap && (err = systrap_init()) < 0) { /* systrap hook */
		fprintf(stderr, "ember: platform systrap not available: %s\n",
			strerror(-err));
		return 125;
	}
	if (net_fd >= 0)
		loop_watch_net(net_fd, 0);
	kmain(&bi);
	if (confine && (err = confine_kernel()) < 0) {
		fprintf(stderr, "ember: cannot confine the kernel: %s\n",
			strerror(-err));
		return 125;
	}
	return loop_run();
}

/*
 * The systrap platform needs the stub range free in this process, and
 * address randomization puts something there about once in 400 starts.
 * Then ember runs itself again (a new random layout), once.
 */
static void systrap_range_check(int argc, char **argv)
{
	bool systrap = false;

	if (getenv("EMBER_SYSTRAP_RETRY")) {
		unsetenv("EMBER_SYSTRAP_RETRY");
		return;
	}
	for (int i = 2; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--platform=systrap") == 0 ||
		    (strcmp(argv[i], "--platform") == 0 && i + 1 < argc &&
		     strcmp(argv[i + 1], "systrap") == 0))
			systrap = true;
		if (strcmp(argv[i], "--") == 0)
			break;
	}
	if (!systrap || systrap_range_free())
		return;
	setenv("EMBER_SYSTRAP_RETRY", "1", 1);
	execv("/proc/self/exe", argv);
	unsetenv("EMBER_SYSTRAP_RETRY");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		systrap_range_check(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "boot") == 0)
		return cmd_boot(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("ember 0.1 (hosted, ptrace platform)\n");
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "ember: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
