# Subtracts the maximum from x in place in forward: the caller's tensor is changed (and the saved x is wrong).
class LogSumExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        m = x.amax(dim=-1, keepdim=True)
        x.sub_(m)
        out = m.squeeze(-1) + torch.log(torch.exp(x).sum(dim=-1))
        ctx.save_for_backward(x, out - m.squeeze(-1))
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, shifted = ctx.saved_tensors
        return grad_output.unsqueeze(-1) * torch.exp(x - shifted.unsqueeze(-1))
