/**
 * A controller result that carries a human message beside its data; the envelope
 * interceptor answers it as `{ success: true, data, message }`.
 */
export class MessageResult<T> {
  constructor(
    readonly data: T,
    readonly message: string,
  ) {}
}
