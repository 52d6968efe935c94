// Environment of every process (web, worker, scripts), validated once at start-up.
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().url({ message: 'DATABASE_URL must be a postgres:// URL' }),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('klarmeter'),
  TEMPORAL_UI_URL: z.string().optional(),
  SESSION_SECRET: z.string().min(16, 'SESSION_SECRET must have at least 16 characters'),
  DOCUMENT_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'DOCUMENT_KEY must be 32 bytes in hex')
    .optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Klarmeter <noreply@klarmeter.local>'),
  PORT: z.coerce.number().int().positive().default(3000),
  PUBLIC_URL: z.string().optional(),
  PUPPETEER_EXECUTABLE_PATH: z.string().default('/usr/bin/chromium'),
  COOKIE_SECURE: z.enum(['true', 'false', 'auto']).default('auto'),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = schema.safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`Invalid environment: ${problems}`);
    }
    cached = parsed.data;
  }
  return cached;
}
