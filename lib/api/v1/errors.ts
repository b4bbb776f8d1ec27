import { DomainError } from "@/lib/errors";

export class PayloadTooLargeError extends DomainError {
  constructor(message: string) {
    super("batch_too_large", 413, message);
  }
}
