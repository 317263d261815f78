/*
 * token_c.c — the token of token.wat, written in C (conformance example contract).
 *
 * Same exports, return codes, storage layout and events as token.wat (see its header and
 * conformance/contracts/README.md); only the code and therefore the gas differ. It is real
 * toolchain output: clang 14 keeps a stack pointer global (__stack_pointer), places the key
 * and value buffers on the shadow stack in linear memory, and wasm-ld lays out the memory,
 * which it exports as "memory". Built by conformance/contracts/build.py:
 *
 *   clang --target=wasm32 -mcpu=mvp -O2 -nostdlib -ffreestanding -fno-builtin
 *     -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=8192
 *     -o token_c.wasm c/token_c.c
 *
 * Only the functions marked export_name are exported; every import is a host ABI function
 * (import_module / import_name). There is no libc, so no memcpy: the code moves bytes with
 * explicit loops over fixed-size arrays that the optimiser turns into plain loads and stores.
 *
 * Amounts are u64; account ids are any 32-bit pattern. Return codes: mint 0 ok, 2 supply
 * overflow; transfer 0 ok, 1 insufficient funds. A failed call changes nothing. An impossible
 * state (a stored value that is not 8 bytes, a balance overflow) executes `unreachable`.
 */

typedef unsigned char u8;
typedef int i32;
typedef unsigned int u32;
typedef long long i64;
typedef unsigned long long u64;

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

IMPORT("storage_api", "storage_get") i64 storage_get(const u8 *key, u32 key_len);
IMPORT("storage_api", "storage_read_value") i32 storage_read_value(u8 *out, u32 len);
IMPORT("storage_api", "storage_set")
i32 storage_set(const u8 *key, u32 key_len, const u8 *value, u32 value_len);
IMPORT("chain_api", "emit_event") i32 emit_event(const u8 *data, u32 len);

static const u8 SUPPLY_KEY[6] = {'s', 'u', 'p', 'p', 'l', 'y'};

static void put_u32(u8 *out, u32 x) {
    for (int i = 0; i < 4; i++) out[i] = (u8)(x >> (8 * i));
}

static void put_u64(u8 *out, u64 x) {
    for (int i = 0; i < 8; i++) out[i] = (u8)(x >> (8 * i));
}

static u64 get_u64(const u8 *in) {
    u64 x = 0;
    for (int i = 0; i < 8; i++) x |= (u64)in[i] << (8 * i);
    return x;
}

/* The u64 stored under the key, or 0 when absent. */
static u64 read_u64(const u8 *key, u32 key_len) {
    u8 value[8];
    i64 n = storage_get(key, key_len);
    if (n == -1) return 0;
    if (n != 8) __builtin_trap();
    storage_read_value(value, 8);
    return get_u64(value);
}

static void write_u64(const u8 *key, u32 key_len, u64 x) {
    u8 value[8];
    put_u64(value, x);
    storage_set(key, key_len, value, 8);
}

/* The key "bal:" || account (u32 LE). */
static void balance_key(u8 key[8], u32 account) {
    key[0] = 'b';
    key[1] = 'a';
    key[2] = 'l';
    key[3] = ':';
    put_u32(key + 4, account);
}

static u64 balance(u32 account) {
    u8 key[8];
    balance_key(key, account);
    return read_u64(key, 8);
}

static void set_balance(u32 account, u64 x) {
    u8 key[8];
    balance_key(key, account);
    write_u64(key, 8, x);
}

EXPORT("balance_of") u64 balance_of(u32 account) { return balance(account); }

EXPORT("total_supply") u64 total_supply(void) { return read_u64(SUPPLY_KEY, 6); }

EXPORT("mint") i32 mint(u32 account, u64 amount) {
    u8 event[16];
    /* CHECK: the supply must not wrap. */
    u64 supply = read_u64(SUPPLY_KEY, 6) + amount;
    if (supply < amount) return 2;
    /* STORE: a balance is at most the supply, so it cannot wrap either. */
    u64 bal = balance(account) + amount;
    if (bal < amount) __builtin_trap();
    set_balance(account, bal);
    write_u64(SUPPLY_KEY, 6, supply);
    /* EVENT: "mint" || account || amount */
    event[0] = 'm';
    event[1] = 'i';
    event[2] = 'n';
    event[3] = 't';
    put_u32(event + 4, account);
    put_u64(event + 8, amount);
    emit_event(event, 16);
    return 0;
}

EXPORT("transfer") i32 transfer(u32 from, u32 to, u64 amount) {
    u8 event[20];
    /* CHECK */
    u64 bal = balance(from);
    if (bal < amount) return 1;
    /* STORE: debit first, then read `to` afresh, so from == to nets to no change. */
    set_balance(from, bal - amount);
    bal = balance(to) + amount;
    if (bal < amount) __builtin_trap();
    set_balance(to, bal);
    /* EVENT: "xfer" || from || to || amount */
    event[0] = 'x';
    event[1] = 'f';
    event[2] = 'e';
    event[3] = 'r';
    put_u32(event + 4, from);
    put_u32(event + 8, to);
    put_u64(event + 12, amount);
    emit_event(event, 20);
    return 0;
}
