/**
 * A vault that lives in one process's memory: for unit tests of the code
 * that uses a Vault (the session cache, the commands), never for users.
 */
import type { Vault } from './vault.js';

export class MemoryVault implements Vault {
  readonly backend = 'memory';
  private readonly services = new Map<string, Map<string, string>>();

  async get(service: string, account: string): Promise<string | undefined> {
    return this.services.get(service)?.get(account);
  }

  async set(service: string, account: string, value: string): Promise<void> {
    let accounts = this.services.get(service);
    if (!accounts) {
      accounts = new Map();
      this.services.set(service, accounts);
    }
    accounts.set(account, value);
  }

  async remove(service: string, account: string): Promise<boolean> {
    return this.services.get(service)?.delete(account) ?? false;
  }

  async has(service: string, account: string): Promise<boolean> {
    return this.services.get(service)?.has(account) ?? false;
  }

  async list(service: string): Promise<string[]> {
    return [...(this.services.get(service)?.keys() ?? [])].sort();
  }

  async assertUnlocked(): Promise<void> {
    // Memory is never locked.
  }
}
