/*
 * net.c: the bare-metal HAL's network devices, virtio-net over PCI (layer:
 * bare-metal HAL; relies on virtio.c, pci.c and the HAL pool for packet
 * buffers; implements the network section of include/hal.h). NICs are
 * the virtio-net functions in PCI slot order.
 *
 * Receive: RX_BUFS buffers of one frame each stay posted; the device
 * signals a filled one through MSI-X (vector VEC_NET), which only wakes
 * the CPU: sched_loop asks vnet_event_due() and calls kern_net_event when
 * the core had found the queue empty. A NIC without MSI-X is polled:
 * the idle loop then wakes every 5 ms (vnet_poll_ns). Send copies the frame into one of
 * TX_BUFS buffers and returns at once; finished sends are reclaimed on
 * the next send (no interrupt).
 */
#include <kern/klib.h>
#include <uapi/errno.h>

#include "bm.h"

#define MAX_NICS 4
#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_NET_LEGACY_ID 0x1000
#define VIRTIO_NET_MODERN_ID 0x1041

#define NET_F_MTU (1ULL << 3)
#define NET_F_MAC (1ULL << 5)

#define RXQ 0
#define TXQ 1
#define RX_BUFS 64
#define TX_BUFS 64
#define BUF_SIZE 2048 /* two per pool page */
/* virtio 1.x's header: flags, gso_type, hdr_len, gso_size, csum_start,
 * csum_offset, num_buffers. */
#define NET_HDR 12
#define FRAME_MAX (BUF_SIZE - NET_HDR)

struct nic {
	struct virtio_dev v;
	struct virtq rx, tx;
	uint64_t rx_pa[RX_BUFS];
	uint64_t tx_pa[TX_BUFS];
	uint16_t tx_free[TX_BUFS]; /* stack of free tx descriptors */
	int ntx_free;
	uint8_t mac[6];
	unsigned mtu;
	bool armed; /* the core saw an empty queue: owe it an event */
};

static struct nic nics[MAX_NICS];
static int nnics;
static bool polled; /* a NIC without MSI-X: the idle loop polls it */

static int buffers(uint64_t *pa, int n)
{
	for (int i = 0; i < n; i += 2) {
		uint64_t page = mmu_page_alloc();

		if (!page)
			return -1;
		pa[i] = page;
		if (i + 1 < n)
			pa[i + 1] = page + BUF_SIZE;
	}
	return 0;
}

static void rx_post(struct nic *n, uint16_t i)
{
	n->rx.desc[i].addr = n->rx_pa[i];
	n->rx.desc[i].len = BUF_SIZE;
	n->rx.desc[i].flags = VIRTQ_DESC_F_WRITE;
	n->rx.desc[i].next = 0;
	virtq_submit(&n->rx, i);
}

static int nic_setup(struct nic *n, struct pci_dev *p)
{
	uint16_t vec;

	if (virtio_init(&n->v, p, NET_F_MAC | NET_F_MTU) < 0)
		return -1;
	/* Queue 0's interrupt is MSI-X table entry 0; without MSI-X the
	 * scheduler loop polls the queue (vnet_poll_ns). */
	vec = pci_msix_route(p, 0, VEC_NET) == 0 ? 0 : 0xffff;
	if (virtio_queue_init(&n->v, RXQ, &n->rx, RX_BUFS, vec) < 0 ||
	    virtio_queue_init(&n->v, TXQ, &n->tx, TX_BUFS, 0xffff) < 0)
		return -1;
	if (!n->rx.irq) {
		bm_printf_debug("net: no MSI-X; receive is polled");
		polled = true;
	}
	if (buffers(n->rx_pa, n->rx.size) < 0 ||
	    buffers(n->tx_pa, n->tx.size) < 0)
		return -1;
	n->mtu = 1500;
	if (n->v.device_cfg && (n->v.features & NET_F_MAC))
		for (int i = 0; i < 6; i++)
			n->mac[i] = n->v.device_cfg[i];
	else
		hal_entropy(n->mac, 6);
	if (!(n->v.features & NET_F_MAC)) {
		n->mac[0] = (uint8_t)((n->mac[0] & 0xfe) | 0x02);
	}
	if (n->v.device_cfg && (n->v.features & NET_F_MTU)) {
		unsigned mtu = *(volatile uint16_t *)(n->v.device_cfg + 10);

		if (mtu >= 68 && mtu < n->mtu)
			n->mtu = mtu;
	}
	for (uint16_t i = 0; i < n->tx.size; i++)
		n->tx_free[n->ntx_free++] = i;
	/* The first frame is news to the core even if it never polled. */
	n->armed = true;
	virtio_ready(&n->v);
	for (uint16_t i = 0; i < n->rx.size; i++)
		rx_post(n, i);
	return 0;
}

void vnet_init(void)
{
	for (int modern = 0; modern < 2; modern++) {
		uint16_t id = modern ? VIRTIO_NET_MODERN_ID :
				       VIRTIO_NET_LEGACY_ID;

		for (int i = 0; nnics < MAX_NICS; i++) {
			struct pci_dev *p = pci_find(VIRTIO_VENDOR, id, i);

			if (!p)
				break;
			if (nic_setup(&nics[nnics], p) == 0) {
				const uint8_t *m = nics[nnics].mac;

				bm_printf_debug("net: eth%d %02x:%02x:%02x:"
						"%02x:%02x:%02x",
						nnics, m[0], m[1], m[2], m[3],
						m[4], m[5]);
				nnics++;
			}
		}
	}
}

uint64_t vnet_poll_ns(void)
{
	return polled ? 5000000ULL : 0;
}

void vnet_irq(void)
{
	/* MSI-X needs no acknowledgement at the device; sched_loop looks
	 * at the rings (vnet_event_due). */
}

static bool rx_pending(struct nic *n)
{
	return *(volatile uint16_t *)(n->rx.used + 2) != n->rx.used_seen;
}

bool vnet_event_due(int *nic)
{
	for (int i = 0; i < nnics; i++) {
		if (nics[i].armed && rx_pending(&nics[i])) {
			nics[i].armed = false;
			*nic = i;
			return true;
		}
	}
	return false;
}

static struct nic *get(int nic)
{
	return nic >= 0 && nic < nnics ? &nics[nic] : NULL;
}

int hal_net_count(void)
{
	return nnics;
}

int hal_net_info(int nic, uint8_t mac[6], unsigned *mtu)
{
	struct nic *n = get(nic);

	if (!n)
		return -ENODEV;
	memcpy(mac, n->mac, 6);
	*mtu = n->mtu;
	return 0;
}

int hal_net_send(int nic, const void *frame, size_t len)
{
	struct nic *n = get(nic);
	uint32_t id, ulen;
	uint16_t i;
	uint8_t *b;

	if (!n)
		return -ENODEV;
	if (len > FRAME_MAX)
		return -EMSGSIZE;
	while (virtq_next_used(&n->tx, &id, &ulen))
		if (id < n->tx.size)
			n->tx_free[n->ntx_free++] = (uint16_t)id;
	if (!n->ntx_free)
		return -EAGAIN;
	i = n->tx_free[--n->ntx_free];
	b = bm_phys_to_virt(n->tx_pa[i]);
	memset(b, 0, NET_HDR);
	memcpy(b + NET_HDR, frame, len);
	n->tx.desc[i].addr = n->tx_pa[i];
	n->tx.desc[i].len = (uint32_t)(NET_HDR + len);
	n->tx.desc[i].flags = 0;
	n->tx.desc[i].next = 0;
	virtq_submit(&n->tx, i);
	return 0;
}

long hal_net_recv(int nic, void *buf, size_t len)
{
	struct nic *n = get(nic);
	uint32_t id, ulen;
	long ret;

	if (!n)
		return -ENODEV;
	if (!virtq_next_used(&n->rx, &id, &ulen)) {
		n->armed = true;
		return 0;
	}
	if (id >= n->rx.size)
		return -EIO;
	if (ulen < NET_HDR) {
		ret = -EIO;
	} else if (ulen - NET_HDR > len) {
		ret = -EMSGSIZE;
	} else {
		memcpy(buf, (uint8_t *)bm_phys_to_virt(n->rx_pa[id]) + NET_HDR,
		       ulen - NET_HDR);
		ret = (long)(ulen - NET_HDR);
	}
	rx_post(n, (uint16_t)id);
	return ret;
}
