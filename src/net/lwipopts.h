/*
 * lwipopts.h: Ember's lwIP configuration. lwIP runs inside the core with
 * no operating system under it (NO_SYS=1): only the raw callback API,
 * driven by the socket layer (af_inet.c) and by a kernel timer that calls
 * sys_check_timeouts (lwip_port.c). IPv4 and IPv6, TCP and UDP, and the
 * loopback interface (127.0.0.1, ::1) and Ethernet NICs from the HAL
 * (netif.c: ARP, static IPv4 or DHCP, IPv6 link-local); raw pcbs serve
 * SOCK_RAW ICMP (ping); memory comes from kmalloc.
 */
#ifndef EMBER_LWIPOPTS_H
#define EMBER_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_TIMERS 1

/* Memory: the kernel heap for everything. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define mem_clib_malloc lwip_port_malloc
#define mem_clib_free lwip_port_free
#define mem_clib_calloc lwip_port_calloc
#define MEMP_NUM_TCP_PCB 256
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB 64
#define MEMP_NUM_TCP_SEG 1024
#define MEMP_NUM_PBUF 1024
#define PBUF_POOL_SIZE 256

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_TCP 1
#define LWIP_UDP 1
#define LWIP_RAW 1
#define LWIP_ICMP 1
#define LWIP_ICMP6 1
#define LWIP_DNS 0
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define ARP_TABLE_SIZE 32
#define ARP_QUEUEING 1
#define LWIP_IPV6_MLD 0
#define LWIP_IPV6_AUTOCONFIG 0
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 0
#define LWIP_IPV6_SCOPES 0
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_FRAG 1
/* 64-bit pointers do not fit lwIP's in-header reassembly bookkeeping. */
#define IPV6_FRAG_COPYHEADER 1
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define SO_REUSE 1
#define LWIP_TCP_KEEPALIVE 1
#define TCP_LISTEN_BACKLOG 0
#define LWIP_CALLBACK_API 1

/* TCP sizes: a loopback link with a 32 KiB window. */
#define TCP_MSS 8192
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
/* Segments queued per connection: a 32 KiB send buffer in 1460-byte
 * Ethernet segments needs 23 (plus oversize pbufs). */
#define TCP_SND_QUEUELEN 64
#define LWIP_WND_SCALE 0
#define TCP_OVERSIZE TCP_MSS

/* Interfaces: the loopback, delivered when the core polls it. */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 0
#define LWIP_SINGLE_NETIF 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_NETIF_TX_SINGLE_PBUF 0
#define LWIP_NETIF_LINK_CALLBACK 0

/* Checksums are computed and checked (the tap netif will need them). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 0

#define LWIP_STATS 0
#define LWIP_DEBUG 0

#endif
