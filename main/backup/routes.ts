// GET /api/backups → {items}; POST /api/backups → the new backup (201).
import type express from 'express';
import type { BackupService } from './backups.js';

export function mountBackupRoutes(router: express.Router, d: { backups: BackupService }): void {
  router.get('/backups', (_req, res) => {
    res.json({ items: d.backups.list().map(({ name, size, createdAt }) => ({ name, size, createdAt })) });
  });
  router.post('/backups', async (_req, res) => {
    const b = await d.backups.runNow();
    res.status(201).json({ name: b.name, size: b.size, createdAt: b.createdAt });
  });
}
